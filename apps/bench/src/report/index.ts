export * from "./data.js";
export * from "./export.js";
export * from "./html.js";
export * from "./plots.js";
export * from "./svg.js";
