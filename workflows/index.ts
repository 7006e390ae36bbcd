export { processImage } from './process-image';
export { addKnownPlace, similarImages } from './query-images';
