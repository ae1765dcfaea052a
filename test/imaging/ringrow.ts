/**
 * Test helper: six large migrasomes (1.8–2.8 µm) each on a short, slightly tilted fiber, in two rows of three 7 µm
 * apart (a 22 × 15 µm scene), rendered and run through the migrasome detector (bigrings, ovalrings).
 */
import { detectMigrasomes, type MigrasomeParams } from "../../src/imaging/migrasomes.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import type { Optics, Scene, SceneFiber, SceneObject } from "../../src/imaging/scene.ts";
import { subtractBackground } from "./subtract.ts";

export function detectRingRow(optics: Optics, seed: number, params: Partial<MigrasomeParams>) {
  const objects: SceneObject[] = [];
  const fibers: SceneFiber[] = [];
  [1.8, 2.0, 2.2, 2.4, 2.6, 2.8].forEach((d, i) => {
    const x = 4 + (i % 3) * 7;
    const y = 4 + Math.floor(i / 3) * 7;
    objects.push({ id: i + 1, x, y, diameterUm: d, brightness: 1, kind: "migrasome", site: "along", cellId: null });
    fibers.push({ id: i + 1, cellId: null, points: [[x - 3, y - 0.2], [x + 3, y + 0.2]], brightness: 0.3 });
  });
  const scene: Scene = { widthUm: 22, heightUm: 15, cells: [], crossings: [], fibers, objects };
  const px = optics.pixelSizeUm;
  const img = renderScene(scene, optics, seed);
  const { s, noise } = subtractBackground(img, px);
  const det = detectMigrasomes(s, noise, img.width, img.height, px, { psfSigmaUm: optics.psfSigmaUm, params });
  return { objects, det };
}
