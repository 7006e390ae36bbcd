// Demo only: a reviewer publishes the first sample object crop that passes screening, so that the
// public tagging view has something to show. Uses the API exactly as the reviewer page does.
const [api, token] = process.argv.slice(2);
const call = async (path, init = {}) => {
  const res = await fetch(api + path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  return { status: res.status, body: await res.json() };
};
for (const label of ['cup', 'bottle', 'clock', 'vase', 'book', 'chair']) {
  const { body } = await call(`/api/search?object=${label}&case=demo&limit=20`);
  for (const hit of body.hits ?? []) {
    const { body: image } = await call(`/api/images/${hit.sha256}`);
    for (const clue of image.clues.filter((c) => c.type === 'object' && c.value === label)) {
      const res = await call('/api/crops', { method: 'POST', body: JSON.stringify({ clueId: clue._id }) });
      if (res.status < 300) {
        console.log(`  published ${res.body.id} (${label}) for the public tagging view`);
        process.exit(0);
      }
      console.log(`  not published (${label}): ${res.body.error}`);
    }
  }
}
console.log('  no sample object passed screening; publish one from an image page as a reviewer');
