// The scene taxonomy, as groups of ImageNet-1k classes (named by the first synonym of their line in
// models/weights/imagenet-labels.txt). The classifier's scores are the model's probabilities summed
// over a group; these lists only say which classes speak for which place.

/** Place types, each with the ImageNet classes that are that place or are mostly found there. */
export const PLACE_CLASSES: Record<string, string[]> = {
  bedroom: ['four-poster', 'quilt', 'studio couch', 'wardrobe', 'pillow', 'crib', 'cradle', 'bassinet', 'chiffonier', 'pajama', 'sleeping bag', 'mosquito net', 'window shade'],
  bathroom: ['bathtub', 'shower curtain', 'toilet seat', 'washbasin', 'medicine chest', 'toilet tissue', 'soap dispenser', 'shower cap', 'bath towel', 'plunger'],
  kitchen: ['refrigerator', 'dishwasher', 'microwave', 'stove', 'Dutch oven', 'frying pan', 'wok', 'espresso maker', 'toaster', 'plate rack', 'caldron', 'Crock Pot', 'mixing bowl', 'measuring cup', 'ladle', 'spatula', 'wooden spoon', 'strainer', 'waffle iron', 'can opener', 'coffeepot', 'teapot', 'dishrag', 'rotisserie', 'cleaver'],
  classroom: ['slide rule', 'mortarboard', 'academic gown', 'binder', 'pencil box', 'desk'],
  shop: ['bakery', 'barbershop', 'bookshop', 'butcher shop', 'confectionery', 'grocery store', 'shoe shop', 'tobacco shop', 'toyshop', 'shopping cart', 'shopping basket', 'cash machine', 'vending machine', 'barber chair'],
  restaurant: ['restaurant', 'dining table', 'menu', 'plate', 'espresso', 'cup', 'red wine', 'beer glass', 'goblet', 'wine bottle', 'soup bowl', 'tray', 'pizza', 'cheeseburger', 'carbonara', 'consomme', 'hot pot', 'potpie', 'meat loaf', 'guacamole', 'trifle', 'eggnog', 'ice cream', 'saltshaker'],
  'hotel room': [],
  street: ['streetcar', 'traffic light', 'street sign', 'parking meter', 'cab', 'police van', 'minibus', 'trolleybus', 'moving van', 'limousine', 'sports car', 'convertible', 'pickup', 'jeep', 'minivan', 'beach wagon', 'car wheel', 'grille', 'mailbox', 'manhole cover', 'fire engine', 'garbage truck', 'school bus', 'tow truck', 'trailer truck', 'pay-phone', 'motor scooter', 'moped', 'mountain bike', 'tricycle', 'ambulance', 'recreational vehicle', 'castle', 'palace', 'church', 'mosque', 'monastery', 'bell cote', 'dome', 'triumphal arch', 'cinema', 'prison', 'tile roof', 'pole', 'gas pump', 'water tower'],
  beach: ['seashore', 'sandbar', 'breakwater', 'promontory', 'swimming trunks', 'bikini', 'sarong', 'catamaran', 'trimaran', 'lakeside'],
  forest: ['valley', 'mushroom', 'agaric', 'bolete', 'coral fungus', 'gyromitra', 'stinkhorn', 'earthstar', 'hen-of-the-woods', 'mountain tent', 'chain saw', 'lumbermill'],
  park: ['park bench', 'swing', 'fountain', 'carousel', 'maypole', 'picket fence', 'worm fence', 'lawn mower', 'birdhouse', 'daisy', 'rapeseed'],
  'vehicle interior': ['seat belt', 'car mirror', 'odometer'],
};

/** Classes that are indoors: the indoor places' classes and furniture and household things. */
const INDOOR_EXTRA = [
  'altar', 'bannister', 'bookcase', 'china cabinet', 'desktop computer', 'computer keyboard', 'dial telephone', 'electric fan', 'entertainment center', 'fire screen',
  'folding chair', 'grand piano', 'home theater', 'iron', 'lampshade', 'laptop', 'library', 'loudspeaker', 'monitor', 'mouse', 'notebook', 'organ', 'photocopier', 'pool table',
  'printer', 'projector', 'radiator', 'radio', 'rocking chair', 'screen', 'sewing machine', 'shoji', 'sliding door', 'space heater', 'stage', 'table lamp', 'television',
  'theater curtain', 'throne', 'typewriter keyboard', 'upright', 'vacuum', 'wall clock', 'washer', 'window screen', 'doormat', 'prayer rug', 'punching bag', 'barbell',
  'dumbbell', 'tape player', 'CD player', 'cassette player', 'modem', 'hard disc', 'switch', 'spotlight', 'chest', 'safe', 'hamper', 'candle', 'vase', 'pedestal',
  'planetarium', 'coffee mug', 'water jug', 'pitcher', 'teddy', 'envelope', 'binder', 'rubber eraser', 'pencil sharpener', 'fountain pen', 'ballpoint', 'quill',
];

/** Classes that are outdoors: the outdoor places' classes and landscapes, buildings, vehicles and craft. */
const OUTDOOR_EXTRA = [
  'alp', 'cliff', 'coral reef', 'geyser', 'volcano', 'cliff dwelling', 'dam', 'dock', 'pier', 'boathouse', 'barn', 'greenhouse', 'apiary', 'beacon', 'megalith', 'obelisk',
  'stupa', 'totem pole', 'steel arch bridge', 'suspension bridge', 'viaduct', 'flagpole', 'chainlink fence', 'stone wall', 'thatch', 'yurt', 'mobile home', 'patio',
  'solar dish', 'radio telescope', 'drilling platform', 'airliner', 'warplane', 'airship', 'balloon', 'parachute', 'space shuttle', 'missile', 'projectile', 'container ship',
  'liner', 'aircraft carrier', 'fireboat', 'lifeboat', 'speedboat', 'schooner', 'yawl', 'gondola', 'canoe', 'paddle', 'submarine', 'wreck', 'freight car', 'passenger car',
  'electric locomotive', 'steam locomotive', 'bullet train', 'tractor', 'harvester', 'thresher', 'plow', 'oxcart', 'horse cart', 'jinrikisha', 'go-kart', 'golfcart',
  'racer', 'snowmobile', 'snowplow', 'dogsled', 'half track', 'tank', 'forklift', 'crane', 'Model T', 'bicycle-built-for-two', 'unicycle', 'hay', 'corn', 'ear',
  'scoreboard', 'ballplayer', 'rugby ball', 'soccer ball', 'football helmet', 'sundial', 'water bottle', 'umbrella', 'mailbag', 'rain barrel', 'birdhouse', 'maze',
];

// Shops say nothing of indoors or outdoors: ImageNet's shop classes are as often shop fronts seen
// from the street as counters seen inside.
export const INDOOR_CLASSES = [...new Set([...['bedroom', 'bathroom', 'kitchen', 'classroom', 'restaurant', 'hotel room', 'vehicle interior'].flatMap((p) => PLACE_CLASSES[p]!), ...INDOOR_EXTRA])];
export const OUTDOOR_CLASSES = [...new Set([...['street', 'beach', 'forest', 'park'].flatMap((p) => PLACE_CLASSES[p]!), ...OUTDOOR_EXTRA])];

/** COCO objects that say where a photo was taken: context the detector adds to the model's scores. */
export const OBJECT_CONTEXT: Record<string, string[]> = {
  bedroom: ['bed', 'teddy bear'],
  bathroom: ['toilet', 'toothbrush', 'hair drier', 'sink'],
  kitchen: ['oven', 'microwave', 'refrigerator', 'toaster', 'sink'],
  restaurant: ['dining table', 'wine glass', 'fork', 'knife', 'spoon', 'bowl', 'cup', 'pizza'],
  classroom: ['book', 'laptop'],
  street: ['car', 'bus', 'truck', 'traffic light', 'stop sign', 'parking meter', 'fire hydrant', 'motorcycle', 'bicycle'],
  beach: ['surfboard', 'kite'],
  park: ['bench', 'frisbee', 'sports ball', 'dog'],
  indoor: ['bed', 'toilet', 'sink', 'oven', 'microwave', 'refrigerator', 'toaster', 'couch', 'tv', 'laptop', 'keyboard', 'mouse', 'remote', 'book', 'dining table', 'teddy bear', 'hair drier', 'toothbrush', 'clock', 'vase', 'chair', 'potted plant'],
  outdoor: ['car', 'bus', 'truck', 'traffic light', 'stop sign', 'parking meter', 'fire hydrant', 'bench', 'boat', 'airplane', 'train', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'kite', 'skis', 'snowboard', 'surfboard'],
};

/** Indices of the named classes in the label list; a name that matches no line is a mistake in these lists. */
export function classIndices(labels: string[], names: string[]): number[] {
  const firstNames = labels.map((l) => l.split(',')[0]!.trim());
  return names.flatMap((n) => {
    const at = firstNames.flatMap((f, i) => (f === n ? [i] : []));
    if (at.length === 0) throw new Error(`scene taxonomy: no ImageNet class named '${n}'`);
    return at;
  });
}
