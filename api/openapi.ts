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
    case 'date':
      return { type: 'string', pattern: '^\\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\\d|3[01]))?)?$' };
    case 'choice':
      return { enum: [...f.values], default: f.default };
    case 'number':
      return { type: 'integer', minimum: f.min, maximum: f.max, default: f.default };
  }
}
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^TAO-[0-9A-F]{10}$' } };
const tagId = { name: 'tagId', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{16}$' } };
const CROP_STATES = ['open', 'under-review', 'located', 'worldwide', 'unresolved', 'withdrawn'];
/** Plain text: trimmed, no control characters, shown as text only. */
const text = (minLength: number, maxLength: number) => ({ type: 'string', minLength, maxLength });
const personId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^P-[0-9a-f]{10}$' } };
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
    '/api/images/{sha256}/where': {
      get: {
        summary: 'where and when the image was taken: countries, regions and a time window, each with the evidence for and against (docs/where.md); with series=true, for its series',
        security: bearer,
        parameters: [sha256, q('series', { enum: ['true', 'false'], default: 'false' }, 'add up the evidence of the images linked to it'), q('minStrength', { type: 'number', minimum: 0, maximum: 1, default: 0.5 }, 'weakest link followed for a series')],
        responses: { '200': json('{ countries, regions, time, evidence, noEvidence, pins }'), '404': { description: 'no such image, or not weighed yet' }, ...errors },
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
        parameters: [
          q('limit', { type: 'integer', minimum: 1, maximum: 200, default: 20 }, 'how many'), q('case', { type: 'string' }, 'only images of this case'),
          q('from', { type: 'string', pattern: '^[0-9a-f]{64}$' }, 'the stored image the query was cut from ("find this elsewhere"; audited)'),
          q('box', { type: 'string', pattern: '^\\d+(,\\d+){3}$' }, 'x,y,w,h of that cut, in the image\'s pixels (audited)'),
        ],
        requestBody: { required: true, content: { 'image/*': { schema: { type: 'string', format: 'binary', maxLength: 25 * 1024 * 1024 } } } },
        responses: { '200': json('{ hits: [{ path, sha256, tier, score, reason, signals, box? }], skipped: [{ path, sha256, reason }], searched: { indexed, shortlisted } }'), '413': { description: 'image larger than 25 MiB' }, '415': { description: 'no image body' }, '422': { description: 'not a decodable image' }, ...errors },
      },
    },
    '/api/images/{sha256}/faces': {
      get: { summary: 'the image\'s faces: box, quality (why one is not matchable), person and how it joined (analyst, admin; never a descriptor)', security: bearer, parameters: [sha256], responses: { '200': json('[{ _id, index, box, score, quality, matchable, person, joined, alsoNear, pinned }]'), '404': { description: 'no such image' }, ...errors } },
    },
    '/api/images/{sha256}/faces/{index}/matches': {
      get: {
        summary: 'search by face: every image with a face near this one, best first, with the distance (analyst, admin; audited)',
        security: bearer,
        parameters: [sha256, { name: 'index', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }, q('limit', { type: 'integer', minimum: 1, maximum: 200, default: 50 }, 'how many images'), q('case', { type: 'string' }, 'only images of this case')],
        responses: { '200': json('{ face, hits: [{ sha256, path, face, distance, person, label }] }'), '404': { description: 'no such image or face' }, '422': { description: 'the face is not matchable (the quality gate says why)' }, ...errors },
      },
    },
    '/api/faces/search': {
      post: {
        summary: 'search by face from an uploaded photo (its first matchable face, or ?face=N): every image with that person, best first, with the distance (analyst, admin; audited)',
        security: bearer,
        parameters: [q('face', { type: 'integer', minimum: 1 }, 'which face of the photo (1 = the most certain)'), q('limit', { type: 'integer', minimum: 1, maximum: 200, default: 50 }, 'how many images'), q('case', { type: 'string' }, 'only images of this case')],
        requestBody: { required: true, content: { 'image/*': { schema: { type: 'string', format: 'binary', maxLength: 25 * 1024 * 1024 } } } },
        responses: { '200': json('{ faces: [{ index, box, matchable, notMatchable }], searched, hits }'), '413': { description: 'image larger than 25 MiB' }, '415': { description: 'no image body' }, '422': { description: 'not a decodable image' }, ...errors },
      },
    },
    '/api/people': {
      get: { summary: 'people (faces grouped as one person), largest first, of a case or of all (analyst, admin; audited)', security: bearer, parameters: [q('case', { type: 'string' }, 'only people seen in this case')], responses: { '200': json('[{ _id, label, confirmed, cases, faces }]'), ...errors } },
    },
    '/api/people/{id}': {
      get: { summary: 'one person: its faces, each with the face it matched and the distance (analyst, admin; audited)', security: bearer, parameters: [personId], responses: { '200': json('{ _id, label, confirmed, cases, faces, faceList }'), '404': { description: 'no such person' }, ...errors } },
    },
    '/api/people/{id}/confirm': {
      post: { summary: 'confirm a person: its faces stay together whatever the thresholds or the model (analyst, admin; audited)', security: bearer, parameters: [personId], responses: { '200': json('{ confirmed }'), '404': { description: 'no such person' }, ...errors } },
    },
    '/api/people/{id}/label': {
      put: { summary: 'label a person with an identifier (a victim or case reference, not necessarily a name; analyst, admin; audited)', security: bearer, parameters: [personId], requestBody: body({ type: 'object', properties: { label: text(1, 100) }, required: ['label'] }), responses: { '200': json('{ label }'), '404': { description: 'no such person' }, ...errors } },
    },
    '/api/people/{id}/merge': {
      post: { summary: 'merge another person into this one (analyst, admin; audited with the nearest distance between them)', security: bearer, parameters: [personId], requestBody: body({ type: 'object', properties: { from: { type: 'string' } }, required: ['from'] }), responses: { '200': json('{ moved, distance }'), '404': { description: 'no such person' }, ...errors } },
    },
    '/api/people/{id}/split': {
      post: { summary: 'split faces off into a new person (analyst, admin; audited)', security: bearer, parameters: [personId], requestBody: body({ type: 'object', properties: { faces: { type: 'array', items: { type: 'string' } } }, required: ['faces'] }), responses: { '201': json('{ person }'), '404': { description: 'no such person' }, ...errors } },
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
    '/review': html('the reviewers\' page: the tip triage queue (keyboard: j/k, u/n/d/f), object states, grouped answers, blocked taggers'),
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
        summary: 'publish an object crop for crowd tagging (reviewer, admin); refused if it touches a person or face or covers most of the image, or shows text that reads like a name or an address unless confirmText is true; the text inside is returned',
        security: bearer,
        requestBody: body({ type: 'object', properties: { clueId: { type: 'string' }, question: { type: 'string', minLength: 10, maxLength: 300 }, confirmText: { type: 'boolean' } }, required: ['clueId'] }),
        responses: { '201': json('{ id, question, label, text: [{ line, inside, sensitive }] }'), '200': json('already published: the same id'), '404': { description: 'no such object clue' }, '422': { description: 'refused by screening, with the reason' }, ...errors },
      },
    },
    '/api/crops/{id}/withdraw': { post: { summary: 'take a crop out of the public view (reviewer, admin); its contact details go; the same as state withdrawn', security: bearer, parameters: [id], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['reason'], properties: { reason: text(3, 500) } } } } }, responses: { '200': json('{ id, status }'), '404': { description: 'no such crop' }, ...errors } } },
    '/api/crops/{id}/state': {
      post: {
        summary: 'move an object through its life (reviewer, admin): open → under-review → located (with a country) / worldwide / unresolved; withdrawn. The outcome becomes clues on the source image; closing it removes contact details. Audited.',
        security: bearer,
        parameters: [id],
        requestBody: body({ type: 'object', properties: { state: { enum: CROP_STATES }, reason: text(3, 500), country: { ...text(2, 100), description: 'for located: an ISO 3166 code or English country name' } }, required: ['state', 'reason'] }),
        responses: { '200': json('{ id, state, country, countryCode, clueIds }'), '400': { description: 'invalid request, or located without a known country' }, '404': { description: 'no such crop' }, '409': { description: 'not a change this state allows (the answer says which are)' }, '401': errors['401'], '403': errors['403'] },
      },
    },
    '/api/review': { get: { summary: 'objects still in play (all with closed=true), each with its state, the states it may go to, its history, answers grouped and counted, and tips merged (reviewer, admin; contact details for the reviewer role only)', security: bearer, parameters: [q('closed', { enum: ['true', 'false'], default: 'false' }, 'include located and withdrawn objects')], responses: { '200': json('[{ id, label, question, sha256, state, country, next, history, accepted, answers: [{ key, answer, count, submissions, votes, variants, where, brand, accepted }], tips: [TipEntry] }]'), ...errors } } },
    '/api/review/tips': { get: { summary: 'the triage queue: near-identical tips merged, grouped per tagger, new entries first, then those needing follow-up (reviewer, admin; contact details for the reviewer role only)', security: bearer, responses: { '200': json('[{ id, cropId, label, state, answer, where, brand, merged, votes, taggers: [{ tagger, blocked, tips: [{ id, at, note, hasContact, contact }] }], new, triage, firstAt, lastAt }]'), ...errors } } },
    '/api/review/{id}/accept': {
      post: { summary: 'accept a grouped answer: it becomes tag (and location) clues with provenance (reviewer, admin)', security: bearer, parameters: [id], requestBody: body({ type: 'object', properties: { key: { type: 'string' } }, required: ['key'] }), responses: { '201': json('{ clueIds, answer }'), '404': { description: 'no such crop or answer' }, ...errors } },
    },
    '/api/review/{id}/tips/{tagId}': {
      post: {
        summary: 'triage a tip and every tip merged with it: useful (it becomes tag, brand and location clues on the source image, with provenance), not-useful, duplicate, follow-up (reviewer, admin; audited)',
        security: bearer,
        parameters: [id, tagId],
        requestBody: body({ type: 'object', properties: { verdict: { enum: ['useful', 'not-useful', 'duplicate', 'follow-up'] }, reason: text(3, 500), of: { type: 'string', pattern: '^[0-9a-f]{16}$', description: 'duplicate: the entry it repeats' } }, required: ['verdict'] }),
        responses: { '200': json('{ entry, clueIds }'), '404': { description: 'no such crop or tip' }, ...errors },
      },
    },
    '/api/taggers/blocked': { get: { summary: 'taggers blocked from the public view (reviewer, admin)', security: bearer, responses: { '200': json('[{ tagger, by, reason, at }]'), ...errors } } },
    '/api/taggers/block': { post: { summary: 'block a tagger who floods: every public route refuses the token (reviewer, admin; audited)', security: bearer, requestBody: body({ type: 'object', properties: { tagger: text(1, 200), reason: text(3, 500) }, required: ['tagger', 'reason'] }), responses: { '201': json('{ tagger, blocked }'), '404': { description: 'no token has this name' }, '422': { description: 'not a tagger' }, ...errors } } },
    '/api/taggers/unblock': { post: { summary: 'lift a block (reviewer, admin; audited)', security: bearer, requestBody: body({ type: 'object', properties: { tagger: text(1, 200), reason: text(3, 500) }, required: ['tagger', 'reason'] }), responses: { '200': json('{ tagger, blocked }'), '404': { description: 'not blocked' }, ...errors } } },
    '/api/public/crops': { get: { summary: 'the objects that still need help (not located, not withdrawn), their questions and answers, near-identical ones merged: nothing that leads to an image, no notes or contact details (tagger and up; rate-limited; blocked taggers refused)', security: bearer, responses: { '200': json('[{ id, label, question, state, answers: [{ id, what, where, brand, votes, count }] }]'), '429': { description: 'rate limit' }, ...errors } } },
    '/api/public/summary': { get: { summary: 'counts for the public page: objects that need help, objects solved with the public\'s help; never which (tagger and up; rate-limited)', security: bearer, responses: { '200': json('{ needHelp, solvedWithPublicHelp }'), '429': { description: 'rate limit' }, ...errors } } },
    '/api/public/crops/{id}/image': { get: { summary: 'a published crop, re-encoded without metadata (tagger and up; rate-limited)', security: bearer, parameters: [id], responses: { '200': jpeg('crop'), '404': { description: 'not published' }, '429': { description: 'rate limit' }, ...errors } } },
    '/api/public/crops/{id}/tags': {
      post: {
        summary: 'send a tip: "what is it, and where could it be from?", with an optional note and optional contact details, which only reviewers see and which are deleted when the object closes or the retention period ends (tagger and up; rate-limited per token and address; plain text only)',
        security: bearer,
        parameters: [id],
        requestBody: body({ type: 'object', properties: { what: text(2, 200), where: text(0, 200), brand: text(0, 100), note: { type: 'string', maxLength: 1000 }, contact: text(0, 200) }, required: ['what'] }),
        responses: { '201': json('{ id }'), '404': { description: 'not published, located or withdrawn' }, '429': { description: 'rate limit' }, ...errors },
      },
    },
    '/api/public/crops/{id}/tags/{tagId}/votes': {
      post: { summary: 'agree with an answer, once per token', security: bearer, parameters: [id, tagId], responses: { '201': json('{ counted }'), '404': { description: 'no such answer' }, '409': { description: 'already voted' }, '429': { description: 'rate limit' }, ...errors } },
    },
    '/api/me': { get: { summary: 'the token\'s holder, role and web-view settings', security: bearer, responses: { '200': json('{ name, role, settings: { unblurThumbnails } }'), ...errors } } },
    '/api/me/settings': { put: { summary: 'change one\'s own settings (thumbnails unblurred or not)', security: bearer, requestBody: body({ type: 'object', properties: { unblurThumbnails: { type: 'boolean' } }, required: ['unblurThumbnails'] }), responses: { '200': json('settings'), ...errors } } },
    '/api/runs': {
      get: { summary: 'the newest batch runs with their progress (found, done, skipped, failed with reasons, in flight, rate, ETA)', security: bearer, responses: { '200': json('[{ runId, status, startTime, progress }]'), ...errors } },
      post: { summary: 'start a batch over a folder or manifest inside CLUES_IMPORT_ROOT (analyst, admin)', security: bearer, requestBody: body({ type: 'object', properties: { source: { type: 'string' }, case: { type: 'string' }, concurrency: { type: 'integer' } }, required: ['source'] }), responses: { '201': json('{ runId }'), '503': { description: 'no import root configured' }, ...errors } },
    },
    '/api/runs/{id}': { get: { summary: 'one run\'s progress', security: bearer, parameters: [runId], responses: { '200': json('{ runId, progress }'), '404': { description: 'no such run' }, ...errors } } },
    '/api/runs/{id}/failures': {
      get: {
        summary: 'every failed, partial or skipped file of a run with its reason, a page at a time in listing order (the run\'s progress keeps only the newest)',
        security: bearer,
        parameters: [
          runId,
          { name: 'kind', in: 'query', schema: { type: 'string', enum: ['failed', 'partial', 'skipped'], default: 'failed' } },
          { name: 'after', in: 'query', description: 'the `next` of the previous page (a place in the listing)', schema: { type: 'integer' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: { '200': json('{ runId, kind, items: [{ kind, path, reason, n }], next? }'), ...errors },
      },
    },
    '/api/runs/{id}/{action}': {
      post: { summary: 'pause, resume or cancel a run (analyst, admin)', security: bearer, parameters: [runId, { name: 'action', in: 'path', required: true, schema: { enum: ['pause', 'resume', 'cancel'] } }], responses: { '200': json('{ runId, signalled }'), '404': { description: 'no such running run' }, ...errors } },
    },
    '/api/cases/{case}/vics': { get: { summary: 'a case as VICS JSON (analyst and up; a token limited to cases exports only its own); audited', security: bearer, parameters: [{ name: 'case', in: 'path', required: true, schema: { type: 'string', maxLength: 100 } }], responses: { '200': json('VICS JSON'), ...errors } } },
    '/api/stats': { get: { summary: 'counts of processed and failed images and of clues (not for a token limited to cases)', security: bearer, responses: { '200': json('{ processed, failed, clues }'), ...errors } } },
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
