package io.salesos.salesforce.sandbox;

import io.salesos.demo.DemoOrgGenerator;
import java.time.Instant;

/**
 * Runs the Salesforce sandbox alone: {@code sandbox salesforce --port N --seed demo|small|none}
 * (core's CLI is expected to call this provider; until it does, this main serves the same verb).
 */
public final class SandboxMain {

  private SandboxMain() {}

  public static void main(String[] args) throws Exception {
    int port = 8089;
    String seed = "demo";
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--port")) {
        port = Integer.parseInt(args[i + 1]);
      } else if (args[i].equals("--seed")) {
        seed = args[i + 1];
      }
    }
    var now = Instant.now();
    var org = switch (seed) {
      case "demo" -> DemoOrgGenerator.generate(DemoOrgGenerator.Options.demo(now));
      case "small" -> DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(now));
      case "none" -> null;
      default -> throw new IllegalArgumentException("--seed " + seed + ": use demo, small or none "
          + "(seeding from a JSON file needs core's seed loader, see NOTES-FOR-CORE.md)");
    };
    var sandbox = SalesforceSandbox.builder().port(port).seed(org).start();
    Runtime.getRuntime().addShutdownHook(new Thread(sandbox::close));
    System.out.println(sandbox.describe());
    Thread.currentThread().join();
  }
}
