// Short sign-like strings (shop signs, notices, labels) per language, written for the comparison of
// language identifiers (bench/where-langid.ts). Two to six words each: what a photo of a street or
// a shelf shows, not prose. ISO 639-1 codes; Norwegian Bokmål is `no`.

export const PHRASES: Record<string, string[]> = {
  pl: [
    'Sklep spożywczy', 'Apteka całodobowa', 'Zakaz wjazdu', 'Świeże pieczywo codziennie', 'Wejście od podwórza',
    'Otwarte od poniedziałku do soboty', 'Uwaga zły pies', 'Ulica Marszałkowska', 'Przychodnia lekarska', 'Kantor wymiana walut',
    'Piekarnia i cukiernia', 'Szkoła podstawowa nr 12',
  ],
  de: [
    'Bäckerei Müller', 'Frische Brötchen', 'Einfahrt freihalten', 'Geöffnet Montag bis Freitag', 'Apotheke am Markt',
    'Bitte nicht rauchen', 'Ausgang', 'Metzgerei und Feinkost', 'Parken nur für Kunden', 'Sonderangebot der Woche',
    'Grundschule am Park', 'Kein Trinkwasser',
  ],
  pt: [
    'Farmácia Central', 'Pão quente todos os dias', 'Proibido estacionar', 'Aberto de segunda a sábado', 'Saída de emergência',
    'Padaria e pastelaria', 'Cuidado com o cão', 'Rua das Flores', 'Mercearia do bairro', 'Aluga-se apartamento',
    'Escola básica', 'Promoção da semana',
  ],
  it: [
    'Chiuso il lunedì', 'Farmacia comunale', 'Vietato fumare', 'Panificio artigianale', 'Uscita di sicurezza',
    'Aperto tutti i giorni', 'Attenti al cane', 'Via Giuseppe Garibaldi', 'Gelateria del centro', 'Affittasi appartamento',
    'Scuola elementare statale', 'Offerta speciale della settimana',
  ],
  es: [
    'Farmacia de guardia', 'Prohibido aparcar', 'Abierto de lunes a sábado', 'Panadería y pastelería', 'Salida de emergencia',
    'Se alquila piso', 'Cuidado con el perro', 'Calle Mayor', 'Ferretería López', 'Oferta de la semana',
    'Colegio público', 'No fumar en el local',
  ],
  fr: [
    'Boulangerie pâtisserie', 'Fermé le dimanche', 'Défense de fumer', 'Sortie de secours', 'Pharmacie de la gare',
    'Stationnement interdit', 'Attention chien méchant', 'Rue de la République', 'Épicerie fine', 'Appartement à louer',
    'École maternelle', 'Promotion de la semaine',
  ],
  nl: [
    'Bakkerij van der Berg', 'Verboden te roken', 'Nooduitgang', 'Geopend van maandag tot zaterdag', 'Apotheek centrum',
    'Niet parkeren voor de uitrit', 'Pas op voor de hond', 'Verse broodjes', 'Fietsenstalling', 'Te huur',
    'Openbare basisschool', 'Aanbieding van de week',
  ],
  da: [
    'Bageri og konditori', 'Rygning forbudt', 'Nødudgang', 'Åbent mandag til lørdag', 'Parkering forbudt',
    'Pas på hunden', 'Friskbagt brød hver dag', 'Til leje', 'Ugens tilbud', 'Folkeskole',
    'Ingen adgang for uvedkommende', 'Købmand',
  ],
  no: [
    'Bakeri og kafé', 'Røyking forbudt', 'Nødutgang', 'Åpent mandag til lørdag', 'Parkering forbudt',
    'Ferskt brød hver dag', 'Til leie', 'Ukens tilbud', 'Barneskole', 'Ingen adgang for uvedkommende',
    'Dagligvarebutikk', 'Vennligst lukk porten',
  ],
  sv: [
    'Bageri och konditori', 'Rökning förbjuden', 'Nödutgång', 'Öppet måndag till lördag', 'Parkering förbjuden',
    'Se upp för hunden', 'Nybakat bröd varje dag', 'Lägenhet uthyres', 'Veckans erbjudande', 'Grundskola',
    'Obehöriga äga ej tillträde', 'Livsmedelsbutik',
  ],
  cs: [
    'Potraviny a smíšené zboží', 'Kouření zakázáno', 'Nouzový východ', 'Otevřeno pondělí až sobota', 'Zákaz parkování',
    'Pozor zlý pes', 'Čerstvé pečivo každý den', 'Pronájem bytu', 'Lékárna u nádraží', 'Základní škola',
    'Vstup zakázán', 'Akce týdne',
  ],
  hu: [
    'Élelmiszer bolt', 'Dohányozni tilos', 'Vészkijárat', 'Nyitva hétfőtől szombatig', 'Parkolni tilos',
    'Vigyázat, a kutya harap', 'Friss pékáru minden nap', 'Kiadó lakás', 'Gyógyszertár', 'Általános iskola',
    'Belépni tilos', 'A hét ajánlata',
  ],
  tr: [
    'Eczane', 'Sigara içilmez', 'Acil çıkış', 'Pazartesi cumartesi açık', 'Park yapmak yasaktır',
    'Dikkat köpek var', 'Taze ekmek her gün', 'Kiralık daire', 'Fırın ve pastane', 'İlkokul',
    'Girilmez', 'Haftanın fırsatı',
  ],
  en: [
    'Fresh bread daily', 'No smoking', 'Emergency exit', 'Open Monday to Saturday', 'No parking',
    'Beware of the dog', 'Flat to let', 'Offer of the week', 'Primary school', 'Staff only',
    'Pharmacy and chemist', 'Please close the gate',
  ],
  el: [
    'Φούρνος', 'Απαγορεύεται το κάπνισμα', 'Έξοδος κινδύνου', 'Ανοιχτά Δευτέρα έως Σάββατο', 'Απαγορεύεται η στάθμευση',
    'Προσοχή σκύλος', 'Φρέσκο ψωμί κάθε μέρα', 'Ενοικιάζεται διαμέρισμα', 'Φαρμακείο', 'Δημοτικό σχολείο',
    'Προσφορά της εβδομάδας', 'Ζαχαροπλαστείο',
  ],
  ru: [
    'Продукты', 'Курение запрещено', 'Запасной выход', 'Открыто с понедельника по субботу', 'Стоянка запрещена',
    'Осторожно, злая собака', 'Свежий хлеб каждый день', 'Сдаётся квартира', 'Аптека', 'Средняя школа',
    'Вход воспрещён', 'Предложение недели',
  ],
  uk: [
    'Продукти', 'Палити заборонено', 'Запасний вихід', 'Відчинено з понеділка до суботи', 'Стоянку заборонено',
    'Обережно, злий собака', 'Свіжий хліб щодня', 'Здається квартира', 'Аптека', 'Загальноосвітня школа',
    'Вхід заборонено', 'Пропозиція тижня',
  ],
  th: [
    'ร้านขายยา', 'ห้ามสูบบุหรี่', 'ทางออกฉุกเฉิน', 'เปิดทุกวัน', 'ห้ามจอดรถ',
    'ระวังสุนัขดุ', 'ขนมปังสดทุกวัน', 'ให้เช่า', 'ร้านอาหาร', 'โรงเรียนประถม',
    'ห้ามเข้า', 'ราคาพิเศษ',
  ],
  ko: [
    '약국', '금연', '비상구', '연중무휴', '주차 금지',
    '개 조심', '매일 신선한 빵', '임대 문의', '이번 주 특가', '초등학교',
    '관계자 외 출입 금지', '편의점',
  ],
  ja: [
    '薬局', '禁煙', '非常口', '年中無休', '駐車禁止',
    '猛犬注意', '毎日焼きたてパン', '空室あり', '今週のお買い得', '小学校',
    '関係者以外立入禁止', 'コンビニエンスストア',
  ],
};

/** What an OCR engine with no accented letters makes of a Latin string (PP-OCRv4 today). */
export function stripAccents(s: string): string {
  return s
    .replace(/[łŁ]/g, (c) => (c === 'ł' ? 'l' : 'L'))
    .replace(/[øØ]/g, (c) => (c === 'ø' ? 'o' : 'O'))
    .replace(/[đĐ]/g, (c) => (c === 'đ' ? 'd' : 'D'))
    .replace(/ß/g, 'B')
    .replace(/[æÆ]/g, (c) => (c === 'æ' ? 'ae' : 'AE'))
    .replace(/ı/g, 'i')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .normalize('NFC');
}
