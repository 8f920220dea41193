/* layer_check: an empty program that src/meson.build links with one folder's library whole
 * and only the folders below it, so a call into a higher layer fails the build. */
int main(void)
{
  return 0;
}
