// images/example.hello done as a zx image script: the same parent, the same build, the same
// manifest, so the same image (and with SOURCE_DATE_EPOCH the same ID).
//   jetpack script images/example.zx-hello        build it (image.aci.id)
//   jetpack run example/hello
export const parent = 'jetpack/busybox';

// In the build container, as root, in the work dir (a copy of this directory).
/** @param {{ $: import('zx').Shell }} context */
export async function build({ $ }) {
  await $`cp hello.sh /usr/bin/hello`;
  await $`chmod 0755 /usr/bin/hello`;
}
