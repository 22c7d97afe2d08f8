/** What `jetpack script` makes, as make's targets for image directories. */
export const TARGETS = ['image', 'prepare', 'clean', 'aci', 'flat-aci'] as const;
export type Target = (typeof TARGETS)[number];
