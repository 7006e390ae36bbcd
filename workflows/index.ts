export { cancelSignal, pauseSignal, processBatch, progressQuery, resumeSignal } from './process-batch';
export { processImage } from './process-image';
export { addKnownPlace, faceSearch, similarImages } from './query-images';
export { locateImages, locateSeries } from './locate-images';
