package testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Damages a LevelDB directory the way a bad disk would, for the tests of journals that must refuse it. */
public final class CorruptLevelDb {
  private CorruptLevelDb() {}

  /** Overwrites the MANIFEST of the LevelDB in {@code dir} with random bytes from {@code seed}: it can no longer open. */
  public static void overwriteManifest(Path dir, long seed) throws IOException {
    Path manifest;
    try (Stream<Path> files = Files.list(dir)) {
      manifest = files.filter(f -> f.getFileName().toString().startsWith("MANIFEST-")).findFirst().orElseThrow();
    }
    byte[] garbage = new byte[(int) Files.size(manifest)];
    new SplittableRandom(seed).nextBytes(garbage);
    Files.write(manifest, garbage);
  }
}
