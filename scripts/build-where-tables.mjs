// Builds the shipped tables of where/data/ from registry packages (devDependencies), so that the
// pipeline reads small reviewed JSON files at run time and the numbers can be traced to a source:
//   languages.json   language -> countries, script -> countries (Unicode CLDR, cldr-core)
//   currencies.json  ISO 4217 code -> countries where it is legal tender today (CLDR)
//   iso-numeric.json ISO 3166-1 numeric -> alpha-2 (CLDR), for the Natural Earth map's ids
//   zones.json       IANA time zone -> countries (countries-and-timezones, from the tz database's zone.tab)
// Run: node scripts/build-where-tables.mjs (no network).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'where', 'data');
const cldrVersion = require('cldr-core/package.json').version;
const territories = require('cldr-core/supplemental/territoryInfo.json').supplemental.territoryInfo;
const likely = require('cldr-core/supplemental/likelySubtags.json').supplemental.likelySubtags;
const currencyData = require('cldr-core/supplemental/currencyData.json').supplemental.currencyData;
const codeMappings = require('cldr-core/supplemental/codeMappings.json').supplemental.codeMappings;
const isCountry = (t) => /^[A-Z]{2}$/.test(t) && !['ZZ', 'EU', 'EZ', 'UN', 'QO', 'XA', 'XB'].includes(t);

// Signs, labels and receipts are written mostly in a country's official languages: speakers of a
// language where it has no official status count for a tenth (the English that 33% of Poles speak
// does not put English on Polish shop signs). Regional official languages count for half.
const STATUS_FACTOR = { official: 1, de_facto_official: 1, official_regional: 0.5, official_minority: 0.3 };
const OTHER_FACTOR = 0.1;
const MIN_SHARE = 0.002;
const MAX_COUNTRIES = 30;

const round = (x) => Math.round(x * 10000) / 10000;
function normalise(weights) {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const shares = Object.entries(weights)
    .map(([c, w]) => [c, w / total])
    .filter(([, s]) => s >= MIN_SHARE)
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_COUNTRIES);
  return Object.fromEntries(shares.map(([c, s]) => [c, round(s)]));
}

/** The script a language is written in: explicit (zh_Hant) or CLDR's likely subtags (sr -> Cyrl). */
function scriptOf(tag) {
  const [lang, script] = tag.split('_');
  if (script) return script;
  const full = likely[lang];
  return full ? full.split('-')[1] : undefined;
}

const languages = {};
const scripts = {};
for (const [country, info] of Object.entries(territories)) {
  if (!isCountry(country) || !info.languagePopulation) continue;
  const population = Number(info._population);
  for (const [tag, lp] of Object.entries(info.languagePopulation)) {
    const speakers = population * (Number(lp._populationPercent) / 100);
    const w = speakers * (STATUS_FACTOR[lp._officialStatus] ?? OTHER_FACTOR);
    if (!(w > 0)) continue;
    const lang = tag.split('_')[0];
    (languages[lang] ??= {})[country] = (languages[lang][country] ?? 0) + w;
    let script = scriptOf(tag);
    // Japanese is written in kanji and kana: its kana are the script that tells it apart.
    if (script === 'Jpan') script = 'Kana';
    if (script === 'Kore') script = 'Hang';
    if (script === 'Hans' || script === 'Hant') script = 'Hani';
    if (script) (scripts[script] ??= {})[country] = (scripts[script][country] ?? 0) + w;
  }
}
// Kanji are Han characters: Japanese counts towards the Han script as well.
for (const [c, w] of Object.entries(scripts.Kana ?? {})) scripts.Hani[c] = (scripts.Hani[c] ?? 0) + w;

writeFileSync(join(out, 'languages.json'), JSON.stringify({
  source: `Unicode CLDR ${cldrVersion} supplemental territoryInfo (languagePopulation) and likelySubtags, npm cldr-core@${cldrVersion}`,
  licence: 'Unicode License v3 (Unicode-3.0)',
  method: `share of a language's (or script's) writers per country: population x populationPercent x ${JSON.stringify(STATUS_FACTOR)} by official status, ${OTHER_FACTOR} without; shares under ${MIN_SHARE} dropped, at most ${MAX_COUNTRIES} countries`,
  languages: Object.fromEntries(Object.entries(languages).map(([l, w]) => [l, normalise(w)]).sort()),
  scripts: Object.fromEntries(Object.entries(scripts).map(([s, w]) => [s, normalise(w)]).sort()),
}, null, 0).replace(/},"/g, '},\n"') + '\n');

const currencies = {};
for (const [country, list] of Object.entries(currencyData.region)) {
  if (!isCountry(country)) continue;
  for (const entry of list) {
    for (const [code, v] of Object.entries(entry)) {
      if (v._to || v._tender === 'false') continue;
      (currencies[code] ??= []).push(country);
    }
  }
}
writeFileSync(join(out, 'currencies.json'), JSON.stringify({
  source: `Unicode CLDR ${cldrVersion} supplemental currencyData (region), npm cldr-core@${cldrVersion}: currencies in use today (no end date, legal tender)`,
  licence: 'Unicode License v3 (Unicode-3.0)',
  currencies: Object.fromEntries(Object.entries(currencies).map(([k, v]) => [k, v.sort()]).sort()),
}, null, 0).replace(/\],"/g, '],\n"') + '\n');

const numeric = {};
for (const [code, m] of Object.entries(codeMappings)) if (isCountry(code) && m._numeric) numeric[m._numeric] = code;
writeFileSync(join(out, 'iso-numeric.json'), JSON.stringify({ source: `Unicode CLDR ${cldrVersion} supplemental codeMappings`, licence: 'Unicode-3.0', numeric }) + '\n');

const ct = require('countries-and-timezones');
const zones = {};
for (const [name, z] of Object.entries(ct.getAllTimezones({ deprecated: false }))) if (z.countries?.length) zones[name] = z.countries;
writeFileSync(join(out, 'zones.json'), JSON.stringify({
  source: `IANA time zone database zone.tab, via npm countries-and-timezones@${JSON.parse(readFileSync(join(dirname(require.resolve('countries-and-timezones')), '..', 'package.json'), 'utf8')).version}`,
  licence: 'tz database: public domain; countries-and-timezones: MIT',
  zones,
}, null, 0).replace(/\],"/g, '],\n"') + '\n');
console.log(`languages ${Object.keys(languages).length}, scripts ${Object.keys(scripts).length}, currencies ${Object.keys(currencies).length}, zones ${Object.keys(zones).length}`);
