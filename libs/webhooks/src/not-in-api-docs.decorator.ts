import { SetMetadata, type CustomDecorator } from '@nestjs/common';

/** `@nestjs/swagger`'s own metadata key for `@ApiExcludeEndpoint()`: honoured when the app uses it, harmless when not. */
const SWAGGER_EXCLUDE_ENDPOINT = 'swagger/apiExcludeEndpoint';

/** Keeps a route out of `@nestjs/swagger` documents without depending on `@nestjs/swagger`. */
export function NotInApiDocs(): CustomDecorator {
  return SetMetadata(SWAGGER_EXCLUDE_ENDPOINT, { disable: true });
}
