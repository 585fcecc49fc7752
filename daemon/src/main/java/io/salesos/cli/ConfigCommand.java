package io.salesos.cli;

import io.salesos.config.ConfigDocs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Works with the configuration's declarations: renders the reference docs from them. */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "About the configuration file's keys, as declared in the code.",
    subcommands = {ConfigCommand.Docs.class})
final class ConfigCommand implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "docs", mixinStandardHelpOptions = true,
      description = "Render the configuration reference (Markdown: one table per section with key, type, default,"
          + " allowed values and description) from the declared keys; to standard output unless --out is given.")
  static final class Docs implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "FILE", description = "write to FILE (e.g. docs/configuration.md)")
    Path out;

    @Override
    public Integer call() throws IOException {
      var text = ConfigDocs.render();
      if (out == null) {
        System.out.print(text);
      } else {
        var parent = out.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.writeString(out, text, StandardCharsets.UTF_8);
        System.out.println("wrote " + out);
      }
      return 0;
    }
  }
}
