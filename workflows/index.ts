export { cancelSignal, pauseSignal, processBatch, progressQuery, resumeSignal } from './process-batch';
export { processImage } from './process-image';
export { addKnownPlace, similarImages } from './query-images';
export { locateImages, locateSeries } from './locate-images';
