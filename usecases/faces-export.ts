import type { Store } from '../store';

/**
 * A case's face data, exported only when asked for by name (`clues export faces`): the people
 * seen in the case, their labels, and each face with its box, quality, person, how it joined and
 * its descriptor (dlib's 128 values, with the model that made them). No other export includes any
 * of it (VICS and Trace-an-Object exports never read the faces).
 */
export async function exportCaseFaces(
  store: Pick<Store, 'faces'>,
  caseId: string,
): Promise<{ json: string; faces: number; people: number }> {
  const faces = await store.faces.faces.find({ cases: caseId }).sort({ sha256: 1, index: 1 }).toArray();
  const people = await store.faces.people.find({ cases: caseId }).sort({ _id: 1 }).toArray();
  const doc = {
    case: caseId,
    exportedAt: new Date().toISOString(),
    warning: 'biometric data: face descriptors of the people in this case; handle as the case file itself',
    people: people.map((p) => ({
      id: p._id,
      ...(p.label ? { label: p.label } : {}),
      confirmed: p.confirmed,
      faces: p.faces,
    })),
    faces: faces.map((f) => ({
      image: f.sha256,
      index: f.index,
      box: f.box,
      score: f.score,
      quality: f.quality,
      model: f.model,
      ...(f.person ? { person: f.person } : {}),
      ...(f.joined ? { joined: f.joined } : {}),
      ...(f.descriptor ? { descriptor: f.descriptor } : {}),
    })),
  };
  return { json: JSON.stringify(doc, null, 1), faces: faces.length, people: people.length };
}
