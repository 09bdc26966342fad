// Google's JSON error envelope. Discovery documents do not describe errors; this follows Google's
// published error model (https://cloud.google.com/apis/design/errors#http_mapping) and the v1 `errors` list.
export const googleErrorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message', 'errors'],
      properties: {
        code: { type: 'integer' },
        message: { type: 'string' },
        status: {
          type: 'string',
          enum: ['INVALID_ARGUMENT', 'UNAUTHENTICATED', 'PERMISSION_DENIED', 'NOT_FOUND', 'ALREADY_EXISTS'],
        },
        errors: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['message', 'domain', 'reason'],
            properties: {
              message: { type: 'string' },
              domain: { type: 'string' },
              reason: { type: 'string' },
              location: { type: 'string' },
              locationType: { type: 'string' },
            },
          },
        },
        details: { type: 'array', items: { type: 'object', required: ['@type'] } },
      },
    },
  },
};
