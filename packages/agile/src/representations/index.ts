export * from "./agent.js";
export * from "./artefact.js";
export * from "./config.js";
export * from "./hvae.js";
export * from "./networks.js";
