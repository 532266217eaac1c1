export * from "./agent.js";
export * from "./artefact.js";
export * from "./config.js";
export * from "./continuous-output.js";
export * from "./hvae.js";
export * from "./nearest-neighbor.js";
export * from "./networks.js";
