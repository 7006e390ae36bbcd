import currencyTable from './data/currencies.json';
import { countryEvidence, countryName } from './countries';
import { pointer, type TextLine } from './text-lines';
import type { CountryEvidence } from './types';

// Prices: a currency sign or ISO 4217 code next to an amount. Which countries use a currency
// today comes from CLDR (where/data/currencies.json); a shared currency spreads evenly over them.
// Signs are from CLDR's currency symbols and ISO 4217 names; a sign used by several currencies
// ($, ¥, kr) spreads over all of them.

const CURRENCIES = (currencyTable as { currencies: Record<string, string[]> }).currencies;

/** Sign -> the ISO 4217 codes it can stand for. ASCII forms an accent-less OCR produces too (zl, Kc). */
const SIGNS: Record<string, string[]> = {
  '€': ['EUR'], '£': ['GBP'], 'US$': ['USD'], 'C$': ['CAD'], 'CA$': ['CAD'], 'A$': ['AUD'], 'AU$': ['AUD'], 'NZ$': ['NZD'],
  'R$': ['BRL'], 'S$': ['SGD'], 'HK$': ['HKD'], 'NT$': ['TWD'], 'MX$': ['MXN'],
  '$': ['USD', 'CAD', 'AUD', 'NZD', 'MXN', 'ARS', 'CLP', 'COP', 'SGD', 'HKD', 'TWD'],
  '¥': ['JPY', 'CNY'], '円': ['JPY'], '元': ['CNY'], '₩': ['KRW'], '원': ['KRW'], '₽': ['RUB'], 'руб': ['RUB'], '₴': ['UAH'], 'грн': ['UAH'],
  '₺': ['TRY'], 'TL': ['TRY'], 'zł': ['PLN'], 'zl': ['PLN'], 'Kč': ['CZK'], 'Kc': ['CZK'], 'Ft': ['HUF'],
  'kr': ['SEK', 'NOK', 'DKK', 'ISK'], 'kr.': ['DKK', 'ISK'], 'lei': ['RON', 'MDL'], 'лв': ['BGN'], 'лв.': ['BGN'], '₹': ['INR'],
  '฿': ['THB'], 'บาท': ['THB'], '₫': ['VND'], '₱': ['PHP'], '₪': ['ILS'], 'Fr.': ['CHF'], 'CHF': ['CHF'], 'din': ['RSD'], 'дин': ['RSD'],
  '₸': ['KZT'], '₾': ['GEL'], '₼': ['AZN'], 'Rp': ['IDR'], 'RM': ['MYR'],
};

const AMOUNT = String.raw`\d{1,3}(?:[ .,’']\d{3})*(?:[.,]\d{1,2}|,-)?|\d+(?:[.,]\d{1,2})?`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const signs = Object.keys(SIGNS).sort((a, b) => b.length - a.length).map(escape).join('|');
/** ISO codes that are also English words on signs ("ALL 50% OFF", "TOP 10"): not read as codes. */
const WORD_CODES = new Set(['ALL', 'TOP', 'CUP', 'MOP', 'SOS', 'BOB', 'NAD', 'MAD', 'GEL', 'PEN', 'BAM', 'ANG', 'BIF', 'LAK']);
const CODES = Object.keys(CURRENCIES).filter((c) => !WORD_CODES.has(c)).join('|');
// A sign or code before or after an amount; letters must not run on (no "kr" in "kremowy").
const PRICE = new RegExp(
  String.raw`(?<![\p{L}$])(${signs}|${CODES})\s?(${AMOUNT})(?![\d])|(?<![\d.,])(${AMOUNT})\s?(${signs}|${CODES})(?![\p{L}])`,
  'gu',
);

export function currencyEvidence(lines: TextLine[]): CountryEvidence[] {
  const out: CountryEvidence[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    for (const m of line.text.matchAll(PRICE)) {
      const sign = m[1] ?? m[4]!;
      const codes = SIGNS[sign] ?? (CURRENCIES[sign] ? [sign] : []);
      if (!codes.length || seen.has(codes.join())) continue;
      seen.add(codes.join());
      const shares: Record<string, number> = {};
      for (const code of codes) for (const c of CURRENCIES[code] ?? []) shares[c] = (shares[c] ?? 0) + 1 / codes.length / CURRENCIES[code]!.length;
      const where = pointer(line, m.index ?? 0, (m.index ?? 0) + m[0].length);
      const used = Object.keys(shares);
      const named = used.length <= 3 ? used.map(countryName).join(', ') : `${used.length} countries`;
      out.push(...countryEvidence('currency', shares, { ...where, observation: `currency:${codes.join('+')}`, why: `price "${m[0]}" in ${codes.join(' or ')} (${named})` }));
    }
  }
  return out;
}
