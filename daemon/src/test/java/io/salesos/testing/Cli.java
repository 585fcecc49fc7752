package io.salesos.testing;

import io.salesos.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs a salesos verb in this JVM as an admin would, capturing what it prints. */
public final class Cli {

  /** The exit code and the standard output of one verb. */
  public record Run(int exit, String out) {}

  private Cli() {}

  public static Run run(String... args) {
    var previous = System.out;
    var buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      int exit = Main.execute(args);
      var out = buffer.toString(StandardCharsets.UTF_8);
      // echoed, so a failing run's report shows what the admin would have seen
      previous.print("$ salesos " + String.join(" ", args) + "  (exit " + exit + ")\n" + out);
      return new Run(exit, out);
    } finally {
      System.setOut(previous);
    }
  }
}
