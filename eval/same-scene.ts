import type { QueryResult } from '../engine/image-engine';
import { cosine } from '../models/image-embedder';
import type { SimilarityCandidate } from '../store';
import { rankSimilar } from '../usecases/similar-images';
import type { Evaluation } from './evaluation';
import { mean, pct, quantile, report } from './report';

/**
 * Similarity search as the API ranks it: another viewpoint finds its scene, a crop finds the other
 * photo of its pair and its own source, and no same-scene hit is another scene; the embedding's
 * separation of same-scene and unrelated photos.
 */
export const sameScene: Evaluation = {
  name: 'scenes',
  figures: ['same_scene_at3', 'crop_query_at3', 'crop_source_at1', 'embedding_gap'],
  engine: true,
  async run({ set, engine, timings }) {
    const gallery: { id: string; q: QueryResult }[] = [];
    for (const g of set.scenes.gallery) gallery.push({ id: g.id, q: await timings.timed('features', () => engine.query({ path: g.path })) });
    const byId = new Map(gallery.map((g) => [g.id, g.q]));
    const pathOf = new Map(set.scenes.gallery.map((g) => [g.id, g.path]));
    const candidates: SimilarityCandidate[] = gallery.map((g) => ({ sha256: g.q.sha256, path: g.id, pdq: g.q.pdq, embedding: g.q.embedding, featuresPath: g.id }));
    const features = (c: SimilarityCandidate) => byId.get(c.path)!.features;
    const rank = async (query: QueryResult, self?: string) => {
      const pool = self ? candidates.filter((c) => c.path !== self) : candidates;
      const hits = await timings.timed('similar search', () =>
        rankSimilar(query, pool, (cs) => engine.match(query.features, cs.map(features)), { limit: 3, verifyTop: 50 }, (seed, cs) => engine.match(features(seed), cs.map(features)), (cs) => engine.matchDense(query.features, cs.map((c) => ({ path: pathOf.get(c.path)! })))),
      );
      for (const h of hits) if (h.tier === 'same-scene') sameTier.push(h);
      return hits;
    };
    const sameTier: { path: string; reason: string }[] = [];
    const queryOf = async (path: string, self?: string) => (self ? byId.get(self)! : await timings.timed('features', () => engine.query({ path })));

    // Same scene: another viewpoint finds its scene in the top 3.
    let sameWrong = 0;
    let sameAll = 0;
    const partner = new Map(set.scenes.viewpoints.filter((v) => v.self).map((v) => [v.self!, v.scene]));
    const wrongHits: string[] = [];
    const tierCheck = (query: string, answers: string[]) => {
      const ok = new Set(answers.flatMap((a) => [a, partner.get(a) ?? a]));
      for (const h of sameTier.splice(0)) {
        sameAll++;
        if (!ok.has(h.path)) {
          sameWrong++;
          wrongHits.push(`${query} -> ${h.path} (${h.reason})`);
        }
      }
    };
    let vpAt1 = 0;
    let vpAt3 = 0;
    let embAt3 = 0;
    const vpMisses: string[] = [];
    const same: number[] = [];
    for (const v of set.scenes.viewpoints) {
      const q = await queryOf(v.path, v.self);
      const hits = (await rank(q, v.self)).map((h) => h.path);
      tierCheck(v.self ?? v.path.split('/').pop()!, [v.scene]);
      if (hits[0] === v.scene) vpAt1++;
      if (hits.includes(v.scene)) vpAt3++;
      else vpMisses.push(`${v.self ?? v.path.split('/').pop()} -> ${v.scene}`);
      same.push(cosine(q.embedding, byId.get(v.scene)!.embedding));
      const byLook = gallery.filter((g) => g.id !== v.self).map((g) => ({ id: g.id, cos: cosine(q.embedding, g.q.embedding) })).sort((a, b) => b.cos - a.cos);
      if (byLook.slice(0, 3).some((g) => g.id === v.scene)) embAt3++;
    }
    // Crops: the other photo of the pair in the top 3; the crop's own source first.
    let cropAt3 = 0;
    let cropN = 0;
    let sourceAt1 = 0;
    const cropMisses: string[] = [];
    const sourceMisses: string[] = [];
    for (const c of set.scenes.crops) {
      const q = await queryOf(c.path);
      const ranked = await rank(q);
      const hits = ranked.map((h) => h.path);
      tierCheck(c.path.split('/').pop()!, [c.scene, c.source]);
      if (hits[0] === c.source) sourceAt1++;
      else sourceMisses.push(`${c.path.split('/').pop()!} (${ranked.map((h) => `${h.path} ${h.tier} ${h.score} ${h.reason.replace(/keypoints agree on one homography/, 'kp')}`).join(', ') || 'nothing'}; ${q.keypoints} keypoints)`);
      if (c.scene !== c.source) {
        cropN++;
        if (hits.includes(c.scene)) cropAt3++;
        else cropMisses.push(`${c.path.split('/').pop()} -> ${c.scene}`);
      }
    }
    // Unrelated: every two gallery photos that are not one scene.
    const related = new Set(set.scenes.viewpoints.filter((v) => v.self).map((v) => [v.self, v.scene].sort().join('|')));
    const unrelated: number[] = [];
    for (let i = 0; i < gallery.length; i++) {
      for (let j = i + 1; j < gallery.length; j++) {
        if (!related.has([gallery[i]!.id, gallery[j]!.id].sort().join('|'))) unrelated.push(cosine(gallery[i]!.q.embedding, gallery[j]!.q.embedding));
      }
    }
    const nv = set.scenes.viewpoints.length;
    console.log(`\nScenes: gallery of ${gallery.length} photos; ${nv} other-viewpoint queries (${set.scenes.viewpoints.filter((v) => v.self).length} real pairs), ${set.scenes.crops.length} crop queries (${cropN} cut from one photo of a pair)`);
    report('same-scene recall@1', pct(vpAt1 / nv));
    report('same-scene recall@3', pct(vpAt3 / nv), 'target >= 90%');
    if (vpMisses.length) console.log(`  missed: ${vpMisses.join(', ')}`);
    report('crop query -> other photo of the pair @3', pct(cropAt3 / cropN), 'target >= 90%');
    if (cropMisses.length) console.log(`  missed: ${cropMisses.join(', ')}`);
    report('crop query -> its source @1', pct(sourceAt1 / set.scenes.crops.length), 'target 100%');
    if (sourceMisses.length) console.log(`  missed: ${sourceMisses.join(', ')}`);
    report('same-scene tier hits that are another scene', `${sameWrong}/${sameAll}`, 'target 0');
    if (wrongHits.length) console.log(`  wrong: ${wrongHits.join('; ')}`);
    report('embedding alone (similar tier) recall@3', pct(embAt3 / nv));
    report('embedding cosine, same scene: mean', mean(same).toFixed(3));
    report('  p5 / p95', `${quantile(same, 0.05).toFixed(3)} / ${quantile(same, 0.95).toFixed(3)}`);
    report(`embedding cosine, unrelated (${unrelated.length} pairs): mean`, mean(unrelated).toFixed(3));
    report('  p5 / p95', `${quantile(unrelated, 0.05).toFixed(3)} / ${quantile(unrelated, 0.95).toFixed(3)}`);
    report('embedding gap (mean same - mean unrelated)', (mean(same) - mean(unrelated)).toFixed(3));
    return { same_scene_at3: vpAt3 / nv, crop_query_at3: cropAt3 / cropN, crop_source_at1: sourceAt1 / set.scenes.crops.length, embedding_gap: mean(same) - mean(unrelated) };
  },
};
