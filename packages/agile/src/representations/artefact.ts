/**
 * Representations on disk, so the policy stage (and a resumed run) reuses them instead of training
 * the HVAE again. One binary file: an 8-byte magic, the JSON header's byte length (uint32 LE), the
 * header (the metadata), zero padding to a 4-byte boundary, then the float32 LE values. The
 * values round-trip bit for bit.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { QscapeError } from "@qscape/core";
import { type ActionRepresentations, ARTEFACT_FORMAT, ARTEFACT_VERSION, type RepresentationMeta } from "./hvae.js";

const MAGIC = "QSACTREP";

/** A file or byte string that is not a representation artefact, or a damaged one. */
export class RepresentationArtefactError extends QscapeError {
  override name = "RepresentationArtefactError";
}

export function encodeRepresentations({ meta, values }: ActionRepresentations): Uint8Array {
  if (values.length !== meta.numActions * meta.size) {
    throw new RepresentationArtefactError(
      `encodeRepresentations: ${values.length} values, but the header says ${meta.numActions} × ${meta.size}`,
    );
  }
  const header = new TextEncoder().encode(JSON.stringify(meta));
  const offset = Math.ceil((MAGIC.length + 4 + header.length) / 4) * 4;
  const bytes = new Uint8Array(offset + values.length * 4);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(MAGIC.length, header.length, true);
  bytes.set(header, MAGIC.length + 4);
  values.forEach((v, i) => {
    view.setFloat32(offset + 4 * i, v, true);
  });
  return bytes;
}

export function decodeRepresentations(bytes: Uint8Array): ActionRepresentations {
  const fail = (why: string) => new RepresentationArtefactError(`decodeRepresentations: ${why}`);
  if (bytes.length < MAGIC.length + 4 || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    throw fail(`not a ${ARTEFACT_FORMAT} file (magic ${MAGIC} missing)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  if (MAGIC.length + 4 + headerLength > bytes.length) throw fail("truncated header");
  let meta: RepresentationMeta;
  try {
    meta = JSON.parse(
      new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + headerLength)),
    ) as RepresentationMeta;
  } catch {
    throw fail("the header is not JSON");
  }
  if (meta.format !== ARTEFACT_FORMAT || meta.version !== ARTEFACT_VERSION) {
    throw fail(
      `format ${meta.format} version ${meta.version}; this reads ${ARTEFACT_FORMAT} version ${ARTEFACT_VERSION}`,
    );
  }
  const offset = Math.ceil((MAGIC.length + 4 + headerLength) / 4) * 4;
  const count = meta.numActions * meta.size;
  if (bytes.length !== offset + 4 * count) {
    throw fail(
      `${bytes.length - offset} payload bytes, the header's ${meta.numActions} × ${meta.size} needs ${4 * count}`,
    );
  }
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = view.getFloat32(offset + 4 * i, true);
  return { meta, values };
}

export function saveRepresentations(path: string, reps: ActionRepresentations): void {
  writeFileSync(path, encodeRepresentations(reps));
}

export function loadRepresentations(path: string): ActionRepresentations {
  return decodeRepresentations(new Uint8Array(readFileSync(path)));
}
