import { describe, expect, it } from 'vitest';
import { compactToken } from '../core/tokens';
import { plateClues, type PlateLine } from '../where/plate-clues';

const line = (text: string, x: number, y: number, w = 60, h = 20, confidence = 0.9): PlateLine => ({ text, box: { x, y, w, h }, confidence });

describe('plate clues', () => {
  it('when a plate is read on one line, then one plate clue searchable by its letters and digits', () => {
    const [clue, ...rest] = plateClues([line('AB12 CDE', 100, 50, 120)]);
    expect(rest).toEqual([]);
    expect(clue).toMatchObject({ type: 'plate', value: 'AB12 CDE', tokens: ['ab12cde'], detail: { countries: ['GB'] } });
  });

  it('when the OCR splits a plate over two lines side by side, then one clue of the whole plate', () => {
    const clues = plateClues([line('AB12', 100, 50), line('CDE', 166, 52, 50), line('Park here', 100, 200, 200)]);
    expect(clues.map((c) => c.tokens[0])).toEqual(['ab12cde']);
    expect(clues[0]!.box).toEqual({ x: 100, y: 50, w: 116, h: 22 });
  });

  it('when a two-row plate is read as two lines, one above the other, then one clue', () => {
    const clues = plateClues([line('WX 123', 100, 50, 80, 24), line('45', 110, 78, 40, 24)]);
    expect(clues.map((c) => c.value)).toContain('WX 123 45');
  });

  it('when dashes are dropped ("AB123CD"), then the formats that fit its letters and digits', () => {
    const [clue] = plateClues([line('AB123CD', 0, 0)]);
    expect(clue!.detail!.countries).toEqual(expect.arrayContaining(['FR', 'IT']));
    expect(plateClues([line('AB-123-CD', 0, 0)])[0]!.detail!.countries).toEqual(['FR']);
  });

  it('when the country band is read with the plate, then it is not part of the plate', () => {
    expect(plateClues([line('PL WX 12345', 0, 0, 140)])[0]).toMatchObject({ value: 'WX 12345', tokens: ['wx12345'] });
  });

  it('when words are far apart or are not a plate, then no plate clue', () => {
    expect(plateClues([line('AB12', 0, 0), line('CDE', 400, 0)])).toEqual([]);
    expect(plateClues([line('Open 1234 today', 0, 0, 200)])).toEqual([]);
    expect(plateClues([line('HOTEL', 0, 0), line('MIRAMAR', 70, 0)])).toEqual([]);
  });

  it('when a search gives a plate however spaced, then its token is the clue token', () => {
    expect(compactToken('ab12-cde')).toBe('ab12cde');
    expect(compactToken('AB12 CDE')).toBe(plateClues([line('AB12', 0, 0), line('CDE', 65, 0)])[0]!.tokens[0]);
  });
});
