// The API's OpenAPI 3.1 description, served at /openapi.json. tests/api.test.ts checks that it
// names exactly the routes the app serves.

const bearer = [{ bearer: [] }];
const sha256 = { name: 'sha256', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } };
const errors = {
  '400': { description: 'invalid request (unknown parameter, bad value, MongoDB operator)' },
  '401': { description: 'no valid bearer token' },
  '403': { description: 'the token\'s role may not do this' },
};
const q = (name: string, schema: object, description: string) => ({ name, in: 'query', required: false, schema, description });
const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Clue-tagging pipeline API',
    version: '0.1.0',
    description: 'Search clues extracted from seized images. Every request that reads evidence is written to the audit log.',
  },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from `clues token create`' } } },
  paths: {
    '/health': { get: { summary: 'liveness and store reachability', responses: { '200': json('ok') } } },
    '/openapi.json': { get: { summary: 'this document', responses: { '200': json('OpenAPI 3.1') } } },
    '/api/search': {
      get: {
        summary: 'images whose clues match every criterion, best first',
        security: bearer,
        parameters: [
          q('text', { type: 'string', maxLength: 200 }, 'words visible in the image'),
          q('mode', { enum: ['exact', 'prefix', 'fuzzy'], default: 'exact' }, 'how text words match; fuzzy tolerates OCR misreadings'),
          q('object', { type: 'string' }, 'object label (COCO)'),
          q('scene', { type: 'string' }, 'scene label'),
          q('location', { type: 'string' }, 'known place name'),
          q('serial', { type: 'string' }, 'EXIF camera serial number'),
          q('case', { type: 'string' }, 'only images of this case'),
          q('limit', { type: 'integer', minimum: 1, maximum: 500, default: 20 }, 'page size'),
          q('offset', { type: 'integer', minimum: 0, default: 0 }, 'page start'),
        ],
        responses: { '200': json('{ total, offset, hits: [{ path, paths, sha256, score, matches: [{ type, value, score, box, highlights }] }] }'), ...errors },
      },
    },
    '/api/images/{sha256}': {
      get: {
        summary: 'one image: its record, its clues and its known-hash flags (exact and near kept apart)',
        security: bearer,
        parameters: [sha256],
        responses: { '200': json('{ image, clues, knownHashes }'), '404': { description: 'no such image' }, ...errors },
      },
    },
    '/api/images/{sha256}/links': {
      get: {
        summary: 'images sharing a clue with this one, each with its reasons and strength',
        security: bearer,
        parameters: [sha256, q('minStrength', { type: 'number', minimum: 0, maximum: 1, default: 0 }, 'leave out weaker links')],
        responses: { '200': json('[{ sha256, path, strength, reasons: [{ kind, value, weight }] }]'), '404': { description: 'no such image' }, ...errors },
      },
    },
    '/api/series': {
      get: {
        summary: 'groups of images linked by shared clues (connected components)',
        security: bearer,
        parameters: [q('minStrength', { type: 'number', minimum: 0, maximum: 1, default: 0.5 }, 'weakest link kept'), q('case', { type: 'string' }, 'only images of this case')],
        responses: { '200': json('[{ images: [{ sha256, path }], reasons }]'), ...errors },
      },
    },
    '/api/similar': {
      post: {
        summary: 'images like an uploaded image or crop: duplicate, near-duplicate (PDQ), same-scene (keypoints), similar (embedding), each with its reason',
        security: bearer,
        parameters: [q('limit', { type: 'integer', minimum: 1, maximum: 200, default: 20 }, 'how many'), q('case', { type: 'string' }, 'only images of this case')],
        requestBody: { required: true, content: { 'image/*': { schema: { type: 'string', format: 'binary', maxLength: 25 * 1024 * 1024 } } } },
        responses: { '200': json('[{ path, sha256, tier, score, reason, signals }]'), '413': { description: 'image larger than 25 MiB' }, '415': { description: 'no image body' }, '422': { description: 'not a decodable image' }, ...errors },
      },
    },
    '/api/places': {
      get: { summary: 'the known places', security: bearer, responses: { '200': json('[{ id, name, createdAt }]'), ...errors } },
      post: {
        summary: 'add a reference image of a known place (reviewer, admin); stored images that show it gain a location clue',
        security: bearer,
        parameters: [{ name: 'name', in: 'query', required: true, schema: { type: 'string', minLength: 2, maxLength: 200 } }],
        requestBody: { required: true, content: { 'image/*': { schema: { type: 'string', format: 'binary' } } } },
        responses: { '201': json('{ placeId, matched }'), '413': { description: 'image larger than 25 MiB' }, '415': { description: 'no image body' }, ...errors },
      },
    },
    '/api/stats': { get: { summary: 'counts of processed and failed images and of clues', security: bearer, responses: { '200': json('{ processed, failed, clues }'), ...errors } } },
    '/api/audit': {
      get: {
        summary: 'the newest audit records (admin); reading them is audited too',
        security: bearer,
        parameters: [q('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, 'how many')],
        responses: { '200': json('[{ at, actor, action, target, detail, from }]'), ...errors },
      },
    },
  },
} as const;
