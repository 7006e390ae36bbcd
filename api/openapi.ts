// The API's OpenAPI 3.1 description, served at /openapi.json. tests/api.test.ts checks that it
// names exactly the routes the app serves.
import { SEARCH_FIELDS, type SearchField } from '../core/search-fields';
import { BATCH_RUN_ID } from './params';

const bearer = [{ bearer: [] }];
const sha256 = { name: 'sha256', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } };
const errors = {
  '400': { description: 'invalid request (unknown parameter, bad value, MongoDB operator, malformed body; an unsupported charset or Content-Encoding is 415)' },
  '401': { description: 'no valid bearer token' },
  '403': { description: 'the token\'s role may not do this' },
};
const q = (name: string, schema: object, description: string) => ({ name, in: 'query', required: false, schema, description });

/** A search field's JSON schema, from the one definition of search fields. */
function schemaOf(f: SearchField): object {
  switch (f.type) {
    case 'criterion':
    case 'filter':
      return { type: 'string', minLength: 1, maxLength: f.maxLength };
    case 'choice':
      return { enum: [...f.values], default: f.default };
    case 'number':
      return { type: 'integer', minimum: f.min, maximum: f.max, default: f.default };
  }
}
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^TAO-[0-9A-F]{10}$' } };
const runId = { name: 'id', in: 'path', required: true, description: 'a batch run id (any other workflow id is 404)', schema: { type: 'string', pattern: BATCH_RUN_ID.source } };
const jpeg = (description: string) => ({ description, content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } });
const html = (summary: string) => ({ get: { summary, responses: { '200': { description: 'HTML page (its script asks for a token)', content: { 'text/html': {} } } } } });
const body = (schema: object) => ({ required: true, content: { 'application/json': { schema } } });
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
        description: `Give at least one of: ${SEARCH_FIELDS.filter((f) => f.type === 'criterion').map((f) => f.name).join(', ')}. Criteria are ANDed.`,
        parameters: SEARCH_FIELDS.map((f) => q(f.name, schemaOf(f), f.help)),
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
    '/': html('the analyst page: search, blurred thumbnails, image detail, ingest runs'),
    '/tag': html('the public tagging view (Trace an Object): approved crops only'),
    '/review': html('the reviewers\' page: crowd answers grouped and counted'),
    '/api/images/{sha256}/thumbnail': {
      get: { summary: 'a small JPEG of the image (audited); the web view blurs it until clicked', security: bearer, parameters: [sha256], responses: { '200': jpeg('thumbnail, at most 320 px a side'), '404': { description: 'no such image, or its file is gone' }, ...errors } },
    },
    '/api/images/{sha256}/file': {
      get: { summary: 'the oriented image, at most 2048 px a side (audited); X-Image-Scale says how to scale clue boxes', security: bearer, parameters: [sha256], responses: { '200': jpeg('image'), '404': { description: 'no such image, or its file is gone' }, ...errors } },
    },
    '/api/images/{sha256}/tags': {
      get: { summary: 'tags on the image and their history: analysts\' tags, published crops, crowd answers, acceptances', security: bearer, parameters: [sha256], responses: { '200': json('{ tags, crops: [{ crop, answers, submissions }] }'), '404': { description: 'no such image' }, ...errors } },
      post: { summary: 'an analyst\'s tag: becomes a searchable tag clue', security: bearer, parameters: [sha256], requestBody: body({ type: 'object', properties: { value: { type: 'string', minLength: 2, maxLength: 200 } }, required: ['value'] }), responses: { '201': json('{ clueId }'), '404': { description: 'no such image' }, ...errors } },
    },
    '/api/crops': {
      post: {
        summary: 'publish an object crop for crowd tagging (reviewer, admin); refused if it touches a person or face or covers most of the image',
        security: bearer,
        requestBody: body({ type: 'object', properties: { clueId: { type: 'string' }, question: { type: 'string', minLength: 10, maxLength: 300 } }, required: ['clueId'] }),
        responses: { '201': json('{ id, question, label }'), '200': json('already published: the same id'), '404': { description: 'no such object clue' }, '422': { description: 'refused by screening, with the reason' }, ...errors },
      },
    },
    '/api/crops/{id}/withdraw': { post: { summary: 'take a crop out of the public view (reviewer, admin)', security: bearer, parameters: [id], responses: { '200': json('{ id, status }'), '404': { description: 'no such crop' }, ...errors } } },
    '/api/review': { get: { summary: 'published crops with their answers normalised, grouped and counted (reviewer, admin)', security: bearer, responses: { '200': json('[{ id, label, question, sha256, accepted, answers: [{ key, answer, count, submissions, votes, variants, where, brand, accepted }] }]'), ...errors } } },
    '/api/review/{id}/accept': {
      post: { summary: 'accept a grouped answer: it becomes tag (and location) clues with provenance (reviewer, admin)', security: bearer, parameters: [id], requestBody: body({ type: 'object', properties: { key: { type: 'string' } }, required: ['key'] }), responses: { '201': json('{ clueIds, answer }'), '404': { description: 'no such crop or answer' }, ...errors } },
    },
    '/api/public/crops': { get: { summary: 'the published crops, their questions and answers: nothing that leads to an image (tagger and up; rate-limited)', security: bearer, responses: { '200': json('[{ id, label, question, answers: [{ id, what, where, brand, votes }] }]'), '429': { description: 'rate limit' }, ...errors } } },
    '/api/public/crops/{id}/image': { get: { summary: 'a published crop, re-encoded without metadata (tagger and up; rate-limited)', security: bearer, parameters: [id], responses: { '200': jpeg('crop'), '404': { description: 'not published' }, '429': { description: 'rate limit' }, ...errors } } },
    '/api/public/crops/{id}/tags': {
      post: {
        summary: 'answer "what is it, and where could it be from?" (tagger and up; rate-limited per token and address)',
        security: bearer,
        parameters: [id],
        requestBody: body({ type: 'object', properties: { what: { type: 'string', minLength: 2, maxLength: 200 }, where: { type: 'string', maxLength: 200 }, brand: { type: 'string', maxLength: 100 } }, required: ['what'] }),
        responses: { '201': json('{ id }'), '404': { description: 'not published' }, '429': { description: 'rate limit' }, ...errors },
      },
    },
    '/api/public/crops/{id}/tags/{tagId}/votes': {
      post: { summary: 'agree with an answer, once per token', security: bearer, parameters: [id, { name: 'tagId', in: 'path', required: true, schema: { type: 'string' } }], responses: { '201': json('{ counted }'), '404': { description: 'no such answer' }, '409': { description: 'already voted' }, '429': { description: 'rate limit' }, ...errors } },
    },
    '/api/me': { get: { summary: 'the token\'s holder, role and web-view settings', security: bearer, responses: { '200': json('{ name, role, settings: { unblurThumbnails } }'), ...errors } } },
    '/api/me/settings': { put: { summary: 'change one\'s own settings (thumbnails unblurred or not)', security: bearer, requestBody: body({ type: 'object', properties: { unblurThumbnails: { type: 'boolean' } }, required: ['unblurThumbnails'] }), responses: { '200': json('settings'), ...errors } } },
    '/api/runs': {
      get: { summary: 'the newest batch runs with their progress (found, done, skipped, failed with reasons, in flight, rate, ETA)', security: bearer, responses: { '200': json('[{ runId, status, startTime, progress }]'), ...errors } },
      post: { summary: 'start a batch over a folder or manifest inside CLUES_IMPORT_ROOT (analyst, admin)', security: bearer, requestBody: body({ type: 'object', properties: { source: { type: 'string' }, case: { type: 'string' }, concurrency: { type: 'integer' } }, required: ['source'] }), responses: { '201': json('{ runId }'), '503': { description: 'no import root configured' }, ...errors } },
    },
    '/api/runs/{id}': { get: { summary: 'one run\'s progress', security: bearer, parameters: [runId], responses: { '200': json('{ runId, progress }'), '404': { description: 'no such run' }, ...errors } } },
    '/api/runs/{id}/{action}': {
      post: { summary: 'pause, resume or cancel a run (analyst, admin)', security: bearer, parameters: [runId, { name: 'action', in: 'path', required: true, schema: { enum: ['pause', 'resume', 'cancel'] } }], responses: { '200': json('{ runId, signalled }'), '404': { description: 'no such running run' }, ...errors } },
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
