export { processImage } from './process-image';
