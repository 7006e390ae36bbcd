import sharp from 'sharp';
import type { ImageSource } from './image-loader';
import { lumaFromRgb, pdqFromLuma, PDQ_DOWNSAMPLE_DIM, type PdqResult } from './pdq';

/**
 * PDQ of an image file, oriented by EXIF. Like the reference hasher, images larger than
 * 512 on a side are first resized to 512x512 (nearest neighbour, aspect not kept).
 */
export async function pdqFromFile(path: ImageSource, maxPixels: number): Promise<PdqResult> {
  const meta = await sharp(path, { limitInputPixels: maxPixels }).metadata();
  const swapped = (meta.orientation ?? 1) >= 5;
  const w = (swapped ? meta.height : meta.width) ?? 0;
  const h = (swapped ? meta.width : meta.height) ?? 0;
  let img = sharp(path, { limitInputPixels: maxPixels }).rotate().removeAlpha().toColourspace('srgb');
  if (w > PDQ_DOWNSAMPLE_DIM || h > PDQ_DOWNSAMPLE_DIM) {
    img = img.resize(PDQ_DOWNSAMPLE_DIM, PDQ_DOWNSAMPLE_DIM, { fit: 'fill', kernel: 'nearest' });
  }
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return pdqFromLuma(lumaFromRgb(data, info.width, info.height, info.channels), info.height, info.width);
}

/** PDQ of decoded (oriented) RGB pixels: the same resize as pdqFromFile, without decoding again. */
export async function pdqFromRgb(img: { data: Buffer; width: number; height: number }): Promise<PdqResult> {
  let data = img.data;
  let width = img.width;
  let height = img.height;
  if (width > PDQ_DOWNSAMPLE_DIM || height > PDQ_DOWNSAMPLE_DIM) {
    data = await sharp(img.data, { raw: { width, height, channels: 3 } }).resize(PDQ_DOWNSAMPLE_DIM, PDQ_DOWNSAMPLE_DIM, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer();
    width = height = PDQ_DOWNSAMPLE_DIM;
  }
  return pdqFromLuma(lumaFromRgb(data, width, height, 3), height, width);
}
