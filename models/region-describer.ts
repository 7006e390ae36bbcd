import type { Box, ModelRef } from '../core/clues';
import type { ImageNetBackbone } from './imagenet-backbone';
import type { DecodedImage } from './image-loader';
import { modelFiles } from './manifest';
import { describeRegions, REGION_DIMS, REGION_MODEL, RegionProjection, type Region } from './region-descriptors';

/** Region descriptors of an image: the backbone's feature map, pooled and projected (region-descriptors.ts). */
export class RegionDescriber {
  readonly model: ModelRef;
  private constructor(
    private readonly backbone: ImageNetBackbone,
    private readonly projection: RegionProjection,
    version: string,
  ) {
    this.model = { name: REGION_MODEL, version };
  }

  get dims(): number {
    return this.projection.dims;
  }

  static create(backbone: ImageNetBackbone): RegionDescriber {
    const files = modelFiles('region-pca');
    const projection = RegionProjection.read(files.paths['region-pca.bin']!);
    if (projection.dims !== REGION_DIMS) throw new Error(`region-pca.bin gives ${projection.dims} dims, the index expects ${REGION_DIMS}`);
    return new RegionDescriber(backbone, projection, `${backbone.model.version}+region-pca@${files.version}`);
  }

  /** `boxes` in fractions of the image: detected objects and lines of text, pooled as regions too. */
  async describe(image: DecodedImage, boxes: { box: Box; kind: 'object' | 'text' }[] = []): Promise<Region[]> {
    return describeRegions(await this.backbone.featureMap(image), this.projection, boxes);
  }
}
