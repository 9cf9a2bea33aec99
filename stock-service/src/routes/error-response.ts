import { Type } from 'typebox'

/** The JSON body of every 4xx (see @choreo/platform's error handler). */
export const ErrorResponse = Type.Object({
  error: Type.String({ maxLength: 64 }),
  message: Type.String({ maxLength: 1000 }),
  field: Type.Optional(Type.String({ maxLength: 200 })),
  rule: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false })
