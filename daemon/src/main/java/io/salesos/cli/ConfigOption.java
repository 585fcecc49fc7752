package io.salesos.cli;

import io.salesos.config.SalesosConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option every verb that touches a deployment takes. */
public final class ConfigOption {

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "the deployment's configuration file (default: config/demo.yaml under SALESOS_HOME)")
  public Path file;

  public SalesosConfig load() {
    var f = file != null ? file : Home.dir().resolve("config").resolve("demo.yaml");
    if (!Files.exists(f)) {
      throw new IllegalArgumentException("no configuration file at " + f + " (give one with --config FILE)");
    }
    return SalesosConfig.load(f);
  }
}
