/**
 * What the OpenAPI document says besides its operations: info, license, servers, tags,
 * security. The operations come from the routes' own schemas (@fastify/swagger collects
 * them, see registerOpenApi), the schemas they share from OPENAPI_SCHEMAS.
 */
export function openApiMetadata(version: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'callevt API',
      version,
      description:
        'Receives LINE Planet 1-to-1 Call Event callbacks, stores them durably, classifies each call and serves call logs and statistics. ' +
        'Read endpoints need `Authorization: Bearer <token>` when API_TOKEN is set; on a loopback address without API_TOKEN they are open. ' +
        'Errors are `{"error":{"code","message","details"}}`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    // Relative: the callevt that served this document, whatever host, port or proxy it is reached through.
    servers: [{ url: '/', description: 'the callevt serving this document' }],
    tags: [
      { name: 'callbacks', description: 'what LINE Planet calls' },
      { name: 'calls', description: 'the call log' },
      { name: 'group calls', description: 'room sessions and their participant stays' },
      { name: 'statistics', description: 'figures over the call log' },
      { name: 'quarantine', description: 'refused callbacks, kept' },
      { name: 'privacy', description: 'erasure of a person' },
      { name: 'relay', description: "the Call Event relay to your app's own handler: outbox status and dead letters" },
      { name: 'operations', description: 'health, readiness, metrics, this document' },
    ],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer', description: 'one of the tokens in API_TOKEN' } },
    },
  };
}
