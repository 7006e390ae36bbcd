import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCaseVics } from '../usecases/vics-export';
import { parseHashCsv, parseVics, VicsFormatError, writeVics } from '../hashsets/vics';
import type { Store } from '../store';
import { imageInput, openTestStore, sha } from './support/store';

const MD5_A = 'aa'.repeat(16);
const MD5_B = 'bb'.repeat(16);
const SHA1_C = 'cc'.repeat(20);
const PDQ_D = 'f0'.repeat(32);

// What real exporters write: a BOM, `value` as one object, hashes in any case with spaces,
// categories as strings or empty, a TotalMediaFiles that is wrong, fields we do not model.
const SAMPLE = `\uFEFF${JSON.stringify({
  '@odata.context': 'http://github.com/ICMEC/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases',
  value: {
    CaseID: 'c-1',
    CaseNumber: '2026/117',
    TotalMediaFiles: 10,
    Media: [
      { MediaID: 1, MD5: ` ${MD5_A.toUpperCase()} `, Category: '2', Series: 'Blue Room', Tags: ['hotel', 'bedspread'], VictimIdentified: false, IsDistributed: true,
        MediaFiles: [{ FileName: 'a.jpg', FilePath: 'C:\\\\seized\\\\a.jpg' }] },
      { MediaID: 2, MD5: MD5_B, Category: '', AlternativeHashes: [{ HashName: 'PDQ', HashValue: PDQ_D.toUpperCase() }] },
      { MediaID: 3, SHA1: SHA1_C, Category: 1, Tags: 'school; uniform' },
      { MediaID: 4, MD5: 'not-a-hash' },
    ],
  },
})}`;

let store: Store;
beforeAll(async () => {
  ({ store } = await openTestStore('vics'));
});
afterAll(async () => store?.close());

describe('Project VIC (VICS JSON) and CSV hash lists', () => {
  it('when an exporter writes a BOM, one case object, odd hashes and a wrong total, then the media are read and counted', () => {
    const { doc, rejected } = parseVics(SAMPLE);
    expect(rejected).toBe(1);
    expect(doc.declaredTotal).toBe(10);
    expect(doc.media).toHaveLength(3);
    expect(doc.media[0]).toMatchObject({ md5: MD5_A, category: 2, series: 'Blue Room', tags: ['hotel', 'bedspread'], victimIdentified: false, files: [{ name: 'a.jpg' }] });
    expect(doc.media[1]!.category).toBeUndefined();
    expect(doc.media[1]!.alternativeHashes).toEqual({ PDQ: PDQ_D.toUpperCase() });
    expect(doc.media[2]).toMatchObject({ sha1: SHA1_C, category: 1, tags: ['school', 'uniform'] });
  });

  it('when a document is written and read back, then nothing is lost, fields we do not model included', () => {
    const first = parseVics(SAMPLE).doc;
    const again = parseVics(writeVics({ caseId: 'c-1', caseNumber: '2026/117', media: first.media })).doc;
    const fields = (d: typeof first) => d.media.map(({ raw, ...m }) => ({ ...m, isDistributed: raw.IsDistributed }));
    expect(fields(again)).toEqual(fields(first));
    expect(again.declaredTotal).toBe(3); // written from the real count
  });

  it('when the file is not VICS, then a clear error says why', () => {
    expect(() => parseVics('{"cases": 1}')).toThrow(VicsFormatError);
    expect(() => parseVics('not json')).toThrow(/not JSON/);
    expect(() => parseHashCsv('name,size\nx,1')).toThrow(/neither md5 nor sha1/);
  });

  it('when a hash list is imported, then images that match exactly are flagged with category and series, and PDQ matches are near, kept apart', async () => {
    const { doc, rejected } = parseVics(SAMPLE);
    expect((await store.hashSets.import('icmec-test', 'vics', doc, rejected)).count).toBe(3);
    expect((await store.hashSets.import('icmec-test', 'vics', doc, rejected)).count).toBe(3); // re-import replaces
    expect(await store.hashSets.matches({ md5: MD5_A })).toEqual([
      { set: 'icmec-test', kind: 'exact', by: 'md5', category: 2, series: 'Blue Room', tags: ['hotel', 'bedspread'], victimIdentified: false },
    ]);
    const nearPdq = 'f1' + 'f0'.repeat(31); // one bit away
    const near = await store.hashSets.matches({ md5: 'ee'.repeat(16), pdq: { hash: nearPdq, quality: 80 } });
    expect(near).toEqual([{ set: 'icmec-test', kind: 'near', by: 'PDQ distance 1', tags: [] }]);
    expect(await store.hashSets.matches({ md5: 'ee'.repeat(16), pdq: { hash: '0f'.repeat(32), quality: 80 } })).toEqual([]);
    expect(await store.hashSets.matches({ pdq: { hash: nearPdq, quality: 20 } })).toEqual([]); // too featureless to match
  });

  it('when a CSV hash list is imported, then its rows match like VICS entries', async () => {
    const { doc } = parseHashCsv(`md5,category,series\n${MD5_B},3,Garden\nbad,1,x\n`);
    await store.hashSets.import('csv-test', 'csv', doc, 1);
    expect(await store.hashSets.matches({ md5: MD5_B })).toEqual(
      expect.arrayContaining([expect.objectContaining({ set: 'csv-test', kind: 'exact', category: 3, series: 'Garden' })]),
    );
  });

  it('when a case is exported to VICS and imported again, then every image matches itself with its category', async () => {
    const a = imageInput(sha(501), {});
    a.stages.push({ stage: 'hashes', status: 'ok', clues: [], data: { md5: MD5_A, sha1: 'ab'.repeat(20), pdq: { hash: PDQ_D, quality: 90 } } });
    const b = imageInput(sha(502), {});
    b.stages.push({ stage: 'hashes', status: 'ok', clues: [], data: { md5: 'cd'.repeat(16), sha1: 'ef'.repeat(20), pdq: { hash: '0f'.repeat(32), quality: 90 } } });
    await store.images.save({ ...a, caseId: 'case-export' });
    await store.images.save({ ...b, caseId: 'case-export' });
    const { json, count } = await exportCaseVics(store, 'case-export');
    expect(count).toBe(2);
    const { doc } = parseVics(json);
    expect(doc.declaredTotal).toBe(2);
    expect(doc.media.find((m) => m.md5 === MD5_A)).toMatchObject({ category: 2, series: 'Blue Room', alternativeHashes: { PDQ: PDQ_D } });
    await store.hashSets.import('roundtrip', 'vics', doc, 0);
    for (const img of [sha(501), sha(502)]) {
      const matches = await store.hashSets.matches((await store.images.get(img))!);
      expect(matches.filter((m) => m.set === 'roundtrip' && m.kind === 'exact')).toHaveLength(1);
    }
  });
});
