import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { projectRoot } from '../core/project-root';

// The "where and when" evaluation set: signs, receipts and labels in many languages, with phone
// numbers, prices, addresses and dates, drawn onto benign photos (samples/, eval/source/); photos
// with EXIF GPS, camera times and UTC offsets written in (sharp's withExif); signs whose evidence
// contradicts; photos with nothing that says where. The ground truth is the intended country and
// the true instant, written next to the images as ground-truth.json. Thai, Japanese and Korean
// need fonts (scripts/install-eval-fonts.sh); without them those signs are skipped, and said so.

const ROOT = projectRoot();
const photo = (name: string) => (name.startsWith('eval:') ? join(ROOT, 'eval', 'source', name.slice(5)) : join(ROOT, 'samples', name));
const BACKGROUNDS = ['coffee.png', 'eval:brick.png', 'chelsea.png', 'eval:grass.png', 'rocket.jpg', 'eval:gravel.png', 'motorcycle_left.png', 'eval:coins.png', 'camera.png', 'eval:clock_motion.png'];

type Script = 'latin' | 'th' | 'ja' | 'ko';
const FONTS: Record<Script, string> = { latin: 'DejaVu Sans', th: 'Loma', ja: 'IPAGothic', ko: 'NanumGothic' };

export interface WhereEvalItem {
  id: string;
  kind: 'sign' | 'receipt' | 'label' | 'exif' | 'contradiction' | 'none';
  /** The text drawn, line by line: what a perfect reader would read. */
  lines: string[];
  script?: Script;
  exif?: { latitude?: number; longitude?: number; takenAt?: string; offset?: string; gpsTime?: string };
  /** The intended country; null: nothing in the image says where. */
  country: string | null;
  /** The true instant (UTC); absent when nothing in the image says when. */
  time?: string;
  note?: string;
}

export interface WhereEvalImage extends WhereEvalItem {
  path: string;
}

const sign = (id: string, country: string, lines: string[], script: Script = 'latin'): WhereEvalItem => ({ id: `sign-${id}`, kind: 'sign', lines, script, country });

export const ITEMS: WhereEvalItem[] = [
  sign('pl-shop', 'PL', ['Sklep spożywczy „U Ani”', 'Świeże pieczywo codziennie', 'tel. 22 845 67 12']),
  sign('pl-pharmacy', 'PL', ['Apteka całodobowa', 'www.apteka-zdrowie.pl']),
  sign('de-bakery', 'DE', ['Bäckerei Müller', 'Frische Brötchen ab 6 Uhr', 'Tel. 030 1234567']),
  sign('de-butcher', 'DE', ['Metzgerei und Feinkost', 'www.metzgerei-schmidt.de']),
  sign('pt-pharmacy', 'PT', ['Farmácia Central', 'Aberto de segunda a sábado', 'Tel. +351 213 456 789']),
  sign('pt-bakery', 'PT', ['Padaria e pastelaria', 'Pão quente todos os dias', 'Café 0,70 €', 'www.padaria-lisboa.pt']),
  sign('it-pizzeria', 'IT', ['Pizzeria da Mario', 'Chiuso il lunedì', 'www.pizzeriadamario.it']),
  sign('it-pharmacy', 'IT', ['Farmacia comunale', 'Aperto tutti i giorni', 'Tel. 06 1234 5678']),
  sign('es-bakery', 'ES', ['Panadería y pastelería', 'Abierto de lunes a sábado', 'Tel. +34 912 345 678']),
  sign('es-hardware', 'ES', ['Ferretería López', 'Calle Mayor 12', 'www.ferreterialopez.es']),
  sign('fr-bakery', 'FR', ['Boulangerie pâtisserie', 'Fermé le dimanche', 'Tél. 01 42 68 53 00']),
  sign('fr-pharmacy', 'FR', ['Pharmacie de la gare', 'Ouvert du lundi au samedi', 'www.pharmacie-gare.fr']),
  sign('nl-bakery', 'NL', ['Bakkerij van der Berg', 'Verse broodjes', 'Tel. +31 20 123 4567']),
  sign('dk-bakery', 'DK', ['Bageri og konditori', 'Åbent mandag til lørdag', 'Tlf. +45 33 12 34 56']),
  sign('no-bakery', 'NO', ['Bakeri og kafé', 'Åpent mandag til lørdag', 'www.bakeriet.no']),
  sign('se-bakery', 'SE', ['Bageri och konditori', 'Öppet måndag till lördag', 'Tel. +46 8 123 456 78']),
  sign('cz-grocery', 'CZ', ['Potraviny a smíšené zboží', 'Čerstvé pečivo každý den', 'Tel. +420 212 345 678']),
  sign('hu-grocery', 'HU', ['Élelmiszer bolt', 'Nyitva hétfőtől szombatig', 'www.elelmiszer.hu']),
  sign('tr-bakery', 'TR', ['Fırın ve pastane', 'Taze ekmek her gün', 'Tel. +90 212 123 45 67']),
  sign('gr-bakery', 'GR', ['Φούρνος Παπαδόπουλος', 'Φρέσκο ψωμί κάθε μέρα', 'Τηλ. +30 21 0123 4567']),
  sign('ru-grocery', 'RU', ['Продукты', 'Свежий хлеб каждый день', 'Тел. +7 495 123 45 67']),
  sign('th-pharmacy', 'TH', ['ร้านขายยา', 'เปิดทุกวัน', 'โทร. +66 2 123 4567'], 'th'),
  sign('kr-pharmacy', 'KR', ['약국', '연중무휴', '전화 +82 2 123 4567'], 'ko'),
  sign('jp-store', 'JP', ['コンビニエンスストア', '年中無休', 'TEL +81 3 1234 5678'], 'ja'),
  sign('gb-pub', 'GB', ['The Rose and Crown', 'Fish and chips £8.50', 'London SW1A 1AA']),
  sign('br-bakery', 'BR', ['Padaria Pão de Mel', 'Pão francês R$ 0,75', 'Tel. +55 11 3456 7890']),

  // Receipts: a shop, its address, the date and prices. The photo is taken a few hours later.
  { id: 'receipt-pl', kind: 'receipt', country: 'PL', time: '2019-06-14T16:00:00Z', lines: ['BIEDRONKA', 'ul. Marszałkowska 10', '00-950 Warszawa', 'PARAGON FISKALNY', '14.06.2019 15:20', 'Chleb 4,99 zł', 'Mleko 2,89 zł', 'SUMA PLN 7,88'] },
  { id: 'receipt-de', kind: 'receipt', country: 'DE', time: '2020-03-02T12:00:00Z', lines: ['EDEKA Markt', 'Hauptstraße 5', '10115 Berlin', '02.03.2020 10:12', 'Brötchen 0,35 €', 'Milch 1,19 €', 'SUMME EUR 1,54'] },
  { id: 'receipt-pt', kind: 'receipt', country: 'PT', time: '2018-09-21T18:00:00Z', lines: ['Pingo Doce', 'Rua Augusta 120', '1100-053 Lisboa', '21/09/2018', 'Pão 0,15 €', 'Leite 0,69 €', 'TOTAL EUR 0,84'] },
  { id: 'receipt-it', kind: 'receipt', country: 'IT', time: '2021-11-05T17:00:00Z', lines: ['Esselunga', 'Via Roma 1', '20121 Milano', '05.11.2021', 'Pane 1,20 €', 'Latte 1,05 €', 'TOTALE EUR 2,25'] },
  { id: 'receipt-fr', kind: 'receipt', country: 'FR', time: '2017-07-18T15:00:00Z', lines: ['Monoprix', '12 rue de Rivoli', '75004 Paris', '18/07/2017', 'Baguette 0,95 €', 'Lait 1,10 €', 'TOTAL EUR 2,05'] },
  { id: 'receipt-es', kind: 'receipt', country: 'ES', time: '2022-02-03T19:00:00Z', lines: ['Mercadona', 'Calle de Alcalá 20', '28014 Madrid', '03/02/2022', 'Pan 0,60 €', 'Leche 0,89 €', 'TOTAL EUR 1,49'] },
  { id: 'receipt-nl', kind: 'receipt', country: 'NL', time: '2019-11-30T13:00:00Z', lines: ['Albert Heijn', 'Damrak 1', '1012 LG Amsterdam', '2019-11-30', 'Brood 2,19 €', 'Melk 1,09 €', 'TOTAAL EUR 3,28'] },
  { id: 'receipt-cz', kind: 'receipt', country: 'CZ', time: '2020-10-09T16:00:00Z', lines: ['Potraviny Novák', 'Václavské náměstí 1', '110 00 Praha', '09.10.2020', 'Chléb 29,90 Kč', 'Mléko 19,90 Kč', 'CELKEM CZK 49,80'] },
  { id: 'receipt-gb', kind: 'receipt', country: 'GB', time: '2016-04-23T12:00:00Z', lines: ['Tesco Express', '1 High Street', 'Oxford OX1 4AA', '23/04/2016', 'Milk £0.89', 'Bread £1.10', 'TOTAL GBP 1.99'] },

  // Labels with a best-before date: the photo is from before it.
  { id: 'label-pl', kind: 'label', country: 'PL', time: '2023-07-01T10:00:00Z', lines: ['Mleko 3,2%', 'Najlepiej spożyć przed: 20.08.2023', 'Wyprodukowano w Polsce'] },
  { id: 'label-de', kind: 'label', country: 'DE', time: '2022-04-20T10:00:00Z', lines: ['Vollmilch 3,5%', 'Mindestens haltbar bis 12.05.2022', 'www.molkerei-weihenstephan.de'] },
  { id: 'label-it', kind: 'label', country: 'IT', time: '2023-10-01T10:00:00Z', lines: ['Passata di pomodoro', 'Da consumarsi preferibilmente entro 31.12.2024', 'Prodotto in Italia'] },

  // EXIF: GPS, camera time and offset, no text.
  { id: 'exif-krakow', kind: 'exif', country: 'PL', time: '2019-08-03T12:05:00Z', lines: [], exif: { latitude: 50.0614, longitude: 19.9366, takenAt: '2019:08:03 14:05:00', offset: '+02:00' } },
  { id: 'exif-bangkok', kind: 'exif', country: 'TH', time: '2018-12-24T12:30:00Z', lines: [], exif: { latitude: 13.7563, longitude: 100.5018, takenAt: '2018:12:24 19:30:00', offset: '+07:00' } },
  { id: 'exif-sao-paulo', kind: 'exif', country: 'BR', time: '2021-03-15T13:00:00Z', lines: [], exif: { latitude: -23.5505, longitude: -46.6333, takenAt: '2021:03:15 10:00:00', offset: '-03:00' } },
  { id: 'exif-new-york', kind: 'exif', country: 'US', time: '2020-07-05T01:15:00Z', lines: [], exif: { latitude: 40.7128, longitude: -74.006, takenAt: '2020:07:04 21:15:00', offset: '-04:00' } },
  { id: 'exif-tokyo', kind: 'exif', country: 'JP', time: '2017-04-01T00:00:00Z', lines: [], exif: { latitude: 35.6762, longitude: 139.6503, takenAt: '2017:04:01 09:00:00', offset: '+09:00' } },
  { id: 'exif-cape-town', kind: 'exif', country: 'ZA', time: '2016-01-10T10:00:00Z', lines: [], exif: { latitude: -33.9249, longitude: 18.4241, takenAt: '2016:01:10 12:00:00' }, note: 'no offset: the zone comes from the GPS fix' },
  { id: 'exif-oslo', kind: 'exif', country: 'NO', lines: [], exif: { latitude: 59.9139, longitude: 10.7522 }, note: 'GPS only, no time' },
  { id: 'exif-sydney', kind: 'exif', country: 'AU', time: '2022-12-31T12:30:00Z', lines: [], exif: { latitude: -33.8688, longitude: 151.2093, takenAt: '2022:12:31 23:30:00', offset: '+11:00' } },

  // Contradictions: the truth is what the stronger evidence says.
  { id: 'contra-polish-shop-in-berlin', kind: 'contradiction', country: 'DE', time: '2020-05-05T09:00:00Z', lines: ['Sklep polski', 'Polskie produkty', 'tel. +48 600 123 456'], exif: { latitude: 52.52, longitude: 13.405, takenAt: '2020:05:05 11:00:00', offset: '+02:00' }, note: 'Polish text and phone, GPS in Berlin' },
  { id: 'contra-italian-in-lugano', kind: 'contradiction', country: 'CH', lines: ['Farmacia Lugano', 'Aperto tutti i giorni', 'Tel. +41 91 123 45 67', 'Aspirina CHF 8.50'], note: 'Italian text, Swiss phone and francs' },
  { id: 'contra-german-in-vienna', kind: 'contradiction', country: 'AT', lines: ['Bäckerei Huber', 'Tel. +43 1 234 5678', 'www.baeckerei-huber.at'], note: 'German text, Austrian phone and domain' },
  { id: 'contra-dutch-in-brussels', kind: 'contradiction', country: 'BE', lines: ['Bakkerij Boulangerie Peeters', 'Tel. +32 2 123 45 67'], note: 'Dutch and French, Belgian phone' },
  { id: 'contra-english-in-dublin', kind: 'contradiction', country: 'IE', lines: ["Murphy's Pharmacy", 'Open 7 days', 'Tel. +353 1 234 5678', 'www.murphyspharmacy.ie'], note: 'English text, Irish phone and domain' },
  { id: 'contra-clock-off', kind: 'contradiction', country: 'IT', time: '2019-06-14T10:00:30Z', lines: [], exif: { latitude: 41.9028, longitude: 12.4964, takenAt: '2017:03:01 10:00:00', offset: '+01:00', gpsTime: '2019:06:14 10:00:30' }, note: 'camera clock two years off the GPS time' },

  // Nothing says where.
  { id: 'none-coffee', kind: 'none', country: null, lines: [] },
  { id: 'none-cat', kind: 'none', country: null, lines: [] },
  { id: 'none-astronaut', kind: 'none', country: null, lines: [] },
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** EXIF GPS as degrees, minutes, seconds rationals. */
function dms(x: number): string {
  const a = Math.abs(x);
  const d = Math.floor(a);
  const m = Math.floor((a - d) * 60);
  const s = Math.round(((a - d) * 60 - m) * 60 * 100);
  return `${d}/1 ${m}/1 ${s}/100`;
}

function exifOf(e: NonNullable<WhereEvalItem['exif']>): Record<string, Record<string, string>> {
  const ifd2: Record<string, string> = {};
  if (e.takenAt) ifd2.DateTimeOriginal = e.takenAt;
  if (e.offset) ifd2.OffsetTimeOriginal = e.offset;
  const ifd3: Record<string, string> = {};
  if (e.latitude !== undefined && e.longitude !== undefined) {
    Object.assign(ifd3, { GPSLatitudeRef: e.latitude < 0 ? 'S' : 'N', GPSLatitude: dms(e.latitude), GPSLongitudeRef: e.longitude < 0 ? 'W' : 'E', GPSLongitude: dms(e.longitude) });
  }
  if (e.gpsTime) {
    const [date, time] = e.gpsTime.split(' ');
    const [h, m, s] = time!.split(':');
    Object.assign(ifd3, { GPSDateStamp: date!, GPSTimeStamp: `${Number(h)}/1 ${Number(m)}/1 ${Number(s)}/1` });
  }
  return { IFD0: { Make: 'EvalCam', Model: 'EvalCam 1' }, IFD2: ifd2, ...(Object.keys(ifd3).length ? { IFD3: ifd3 } : {}) };
}

/** A sign (big first line) or a receipt/label (small monospaced lines on white paper) as SVG. */
function panel(item: WhereEvalItem, maxWidth: number, i: number): { svg: string; w: number; h: number } {
  const doc = item.kind === 'receipt' || item.kind === 'label';
  const font = doc ? 'DejaVu Sans Mono' : FONTS[item.script ?? 'latin'];
  const cjk = item.script === 'ja' || item.script === 'ko' || item.script === 'th';
  const sizes = item.lines.map((_, j) => (doc ? 22 : j === 0 ? 40 : 28));
  // Widths: monospace 0.6 em, proportional ~0.62 em, CJK a full em.
  const em = doc ? 0.61 : cjk ? 1.02 : 0.64;
  let w = Math.ceil(Math.max(...item.lines.map((l, j) => l.length * sizes[j]! * em))) + 40;
  const scale = Math.min(1, (maxWidth - 10) / w);
  w = Math.ceil(w * scale);
  const lineH = sizes.map((s) => Math.ceil(s * scale * 1.5));
  const h = lineH.reduce((a, b) => a + b, 0) + 24;
  const palettes = [['#ffffff', '#111111'], ['#1d3f8f', '#ffffff'], ['#f2d024', '#000000'], ['#7a1010', '#fff6e0'], ['#0b5d2a', '#ffffff']];
  const [bg, fg] = doc ? ['#fbfbf6', '#111111'] : palettes[i % palettes.length]!;
  let y = 12;
  const texts = item.lines.map((l, j) => {
    y += lineH[j]!;
    return `<text x="20" y="${y - Math.ceil(lineH[j]! * 0.3)}" font-family="${font}" font-weight="${doc ? 'normal' : 'bold'}" font-size="${Math.round(sizes[j]! * scale)}" fill="${fg}">${esc(l)}</text>`;
  });
  return { svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="${w}" height="${h}" rx="${doc ? 2 : 8}" fill="${bg}"/>${texts.join('')}</svg>`, w, h };
}

function fontsPresent(): Record<Script, boolean> {
  const has = (lang: string) => {
    try {
      return execFileSync('fc-list', [`:lang=${lang}`], { encoding: 'utf8' }).trim() !== '';
    } catch {
      return false;
    }
  };
  return { latin: true, th: has('th'), ja: has('ja'), ko: has('ko') };
}

/** Draws every item it has fonts for into `dir`; returns them with the ones skipped and why. */
export async function buildWhereEvalSet(dir: string): Promise<{ images: WhereEvalImage[]; skipped: string[] }> {
  mkdirSync(dir, { recursive: true });
  const fonts = fontsPresent();
  const images: WhereEvalImage[] = [];
  const skipped: string[] = [];
  for (const [i, item] of ITEMS.entries()) {
    if (!fonts[item.script ?? 'latin']) {
      skipped.push(`${item.id}: no ${item.script} font (bash scripts/install-eval-fonts.sh)`);
      continue;
    }
    const background = item.kind === 'none' ? ['coffee.png', 'chelsea.png', 'astronaut.png'][i % 3]! : BACKGROUNDS[i % BACKGROUNDS.length]!;
    let img = sharp(photo(background)).removeAlpha().resize({ width: 800, height: 600, fit: 'cover' });
    if (item.lines.length) {
      const p = panel(item, 760, i);
      const left = Math.max(0, Math.floor((800 - p.w) / 2) + ((i * 37) % 40) - 20);
      const top = Math.max(0, Math.floor((600 - p.h) / 2) + ((i * 53) % 80) - 40);
      img = sharp(await img.composite([{ input: Buffer.from(p.svg), left: Math.min(left, 800 - p.w), top: Math.min(top, 600 - p.h) }]).png().toBuffer());
    }
    const path = join(dir, `${item.id}.jpg`);
    await (item.exif ? img.jpeg({ quality: 92 }).withExif(exifOf(item.exif)) : img.jpeg({ quality: 92 })).toFile(path);
    images.push({ ...item, path });
  }
  writeFileSync(join(dir, 'ground-truth.json'), JSON.stringify(images.map(({ path, ...rest }) => ({ file: path.split('/').pop(), ...rest })), null, 1));
  return { images, skipped };
}
