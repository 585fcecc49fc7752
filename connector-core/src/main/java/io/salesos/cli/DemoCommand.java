package io.salesos.cli;

import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrgJson;
import io.salesos.mirror.Database;
import io.salesos.spi.ConnectorProvider;
import io.salesos.spi.SandboxProvider;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole path on the embedded default with nothing to configure: an embedded MariaDB, the CRM
 * sandboxes seeded with the demo org, and (as they land) sync, rules, write-back and the status page.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run salesos end to end against local sandbox CRMs seeded with a demo field-sales org.")
final class DemoCommand implements Runnable {

  @Option(names = "--once", description = "do one full cycle, print a summary and exit")
  boolean once;

  @Option(names = "--data", description = "folder of the embedded MariaDB's data (default: var/mariadb under SALESOS_HOME)")
  Path data;

  @Option(names = "--seed", description = "'demo', 'small', or a JSON file of records (see README) (default: ${DEFAULT-VALUE})")
  String seed = "demo";

  @Option(names = "--export-seed", paramLabel = "FILE", description = "write the demo org as a JSON seed file and exit")
  Path exportSeed;

  @Override
  public void run() {
    var asOf = Instant.now();
    DemoOrg org = DemoOrgJson.seed(seed, asOf);
    if (exportSeed != null) {
      DemoOrgJson.write(org, exportSeed);
      System.out.println("wrote " + org.size() + " records to " + exportSeed.toAbsolutePath());
      return;
    }
    var dataDir = data != null ? data : Home.var().resolve("mariadb");
    long t0 = System.nanoTime();
    try (var db = Database.embedded(dataDir)) {
      System.out.printf("mirror: %s (ready in %.1f s)%n", db.describe(), (System.nanoTime() - t0) / 1e9);
      var sandboxes = new ArrayList<SandboxProvider.Sandbox>();
      try {
        for (var provider : providers()) {
          var sandboxProvider = provider.sandbox();
          if (sandboxProvider.isPresent()) {
            var sandbox = sandboxProvider.get().start(0, org);
            sandboxes.add(sandbox);
            System.out.println("sandbox " + provider.type() + ": " + sandbox.baseUrl());
          }
        }
        System.out.printf("demo org: %d users, %d accounts, %d contacts, %d deals, %d activities%n",
            org.users().size(), org.accounts().size(), org.contacts().size(), org.deals().size(), org.activities().size());
        if (once) {
          return;
        }
        System.out.println("running; press Ctrl-C to stop");
        var stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
      } finally {
        sandboxes.forEach(SandboxProvider.Sandbox::close);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException(Main.message(e), e);
    }
  }

  static List<ConnectorProvider> providers() {
    return ServiceLoader.load(ConnectorProvider.class).stream().map(ServiceLoader.Provider::get).toList();
  }
}
