package io.salesos.cli;

import java.nio.file.Path;

/** Where salesos keeps its files by default: {@code SALESOS_HOME} (set by the launcher) or the working folder. */
public final class Home {

  private Home() {}

  public static Path dir() {
    var home = System.getenv("SALESOS_HOME");
    return (home == null || home.isBlank() ? Path.of("") : Path.of(home)).toAbsolutePath().normalize();
  }

  public static Path var() {
    return dir().resolve("var");
  }
}
