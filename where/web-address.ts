import numeric from './data/iso-numeric.json';
import { countryEvidence, countryName } from './countries';
import { pointer, type TextLine } from './text-lines';
import type { CountryEvidence } from './types';

// Web and e-mail addresses: a country-code top-level domain (IANA root zone: every ISO 3166-1
// code is one, .uk is Great Britain's). Domains Google Search treats as generic because they are
// sold worldwide (.io, .co, .tv, ... "Google Search Central: how Google handles ccTLDs") count
// for a fifth.

const COUNTRIES = new Set(Object.values((numeric as { numeric: Record<string, string> }).numeric));
const GENERIC_USE = new Set(['ad', 'as', 'bz', 'cc', 'cd', 'co', 'dj', 'fm', 'io', 'la', 'me', 'ms', 'nu', 'sc', 'sr', 'su', 'tv', 'tk', 'ws', 'ai', 'gg', 'ly', 'to', 'am', 'fm', 'sh', 'vc']);
const GENERIC_RELIABILITY = 0.2;

/** An address: www./http or an e-mail, or a name.tld whose TLD is a country code. */
const ADDRESS = /(?:https?:\/\/)?(?:[\w-]+@)?(?:www\.)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+([a-z]{2,}))(?![\w.-]*[a-z0-9])/gi;

export function webEvidence(lines: TextLine[]): CountryEvidence[] {
  const out: CountryEvidence[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    for (const m of line.text.matchAll(ADDRESS)) {
      const domain = m[1]!.toLowerCase().replace(/\.$/, '');
      const tld = m[2]!.toLowerCase();
      const labels = domain.split('.');
      const explicit = /^(https?:\/\/|www\.)/i.test(m[0]) || m[0].includes('@');
      // "name.pl" without www: the name must look like a name, not "ul.12" or "S.A".
      if (!explicit && (labels.length < 2 || labels[labels.length - 2]!.length < 3)) continue;
      const country = tld === 'uk' ? 'GB' : tld.toUpperCase();
      if (tld.length !== 2 || !COUNTRIES.has(country) || seen.has(domain)) continue;
      seen.add(domain);
      const generic = GENERIC_USE.has(tld);
      const where = pointer(line, m.index ?? 0, (m.index ?? 0) + m[0].length);
      const what = m[0].includes('@') ? 'e-mail address' : 'web address';
      out.push(...countryEvidence('web-address', { [country]: 1 }, {
        ...where, observation: `web:${domain}`,
        why: `${what} ${m[0]}: .${tld} is ${countryName(country)}${generic ? ' (but sold worldwide as a generic domain)' : ''}`,
      }, generic ? GENERIC_RELIABILITY : 1));
    }
  }
  return out;
}
