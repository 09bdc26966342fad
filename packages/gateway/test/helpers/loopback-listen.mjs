// Preload for third-party servers started by tests: every listen() without a host binds 127.0.0.1,
// and the bound port is printed as `LATCHKEY_LISTENING <port>` on stderr (PORT=0 picks a free one).
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function patched(...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  }
  this.once('listening', () => process.stderr.write(`LATCHKEY_LISTENING ${this.address().port}\n`));
  return listen.apply(this, args);
};
