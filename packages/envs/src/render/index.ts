export * from "./gif.js";
export * from "./png.js";
export * from "./raster.js";
