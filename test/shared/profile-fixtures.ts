// The example the profile tests (unit, integration and e2e) share: a profile for the "ml-team"
// group with an image choice between two Python stacks, 3.12 by default. Each test gives the
// choices' details it checks (overrides, descriptions).

export const ML_TEAM = ["ml-team"];

export function imageOption(py311: Record<string, unknown>, py312: Record<string, unknown> = {}) {
  return { displayName: "Image", default: "py312", choices: { py311: { displayName: "Python 3.11", ...py311 }, py312: { displayName: "Python 3.12", ...py312 } } };
}
