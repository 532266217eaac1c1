/** The frame type of Gymnasium's `rgb_array` render mode, shared by every renderer in the package. */

export type Rgb = readonly [number, number, number];

export interface RgbFrame {
  width: number;
  height: number;
  /** [height × width × 3] bytes, row major from the top-left pixel (numpy's (H, W, 3) uint8 layout). */
  data: Uint8Array;
}
