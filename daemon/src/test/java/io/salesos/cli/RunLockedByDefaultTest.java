package io.salesos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salesos.config.ConfigDef;
import io.salesos.config.SecretRef;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code salesos run} refuses, before it opens anything, to serve the admin pages off loopback
 * without a token, and refuses a short token; the database address here answers nothing, so a
 * start that got past the check would fail differently.
 */
class RunLockedByDefaultTest {

  @TempDir
  Path dir;

  @Test
  void aNonLoopbackBindWithoutATokenStopsTheDaemonWithOneLineSayingWhatToSet() throws Exception {
    var run = run(config("  bind: 0.0.0.0\n"));
    assertThat(run.code()).isNotZero();
    assertThat(run.err().strip()).doesNotContain("\n")
        .startsWith("salesos: run: admin.bind is 0.0.0.0, not a loopback address, and no admin.token is configured")
        .contains("set admin.token: {env: SALESOS_ADMIN_TOKEN}", "at least 32 characters", "bind 127.0.0.1");
  }

  @Test
  void theImagesAdminBindFlagIsHeldToTheSameRule() throws Exception {
    var run = run(config("  bind: 127.0.0.1\n"), "--admin-bind", "0.0.0.0");
    assertThat(run.code()).isNotZero();
    assertThat(run.err()).contains("admin.bind is 0.0.0.0, not a loopback address");
  }

  @Test
  void aShortTokenFromAFileIsRefusedNamingTheFileAndNotTheToken() throws Exception {
    var secret = dir.resolve("admin-token");
    Files.writeString(secret, "too-short-admin-token\n");
    var run = run(config("  bind: 0.0.0.0\n  token: {file: " + secret + "}\n"));
    assertThat(run.code()).isNotZero();
    assertThat(run.err().strip()).doesNotContain("\n", "too-short-admin-token")
        .contains("admin.token (from file:" + secret + ") is 21 characters; it must be at least 32");
  }

  @Test
  void aShortTokenFromTheEnvironmentIsRefusedNamingTheVariable() {
    var ref = new SecretRef(SecretRef.Kind.ENV, "SALESOS_ADMIN_TOKEN");
    assertThatThrownBy(() -> ConfigDef.ADMIN_TOKEN.resolveSecret(ref, Map.of("SALESOS_ADMIN_TOKEN", "short")::get))
        .hasMessage("admin.token (from env:SALESOS_ADMIN_TOKEN) is 5 characters; it must be at least 32"
            + " (generate one with: openssl rand -hex 32)");
    assertThat(ConfigDef.ADMIN_TOKEN.resolveSecret(ref, Map.of("SALESOS_ADMIN_TOKEN", "x".repeat(32))::get))
        .hasSize(32);
  }

  @Test
  void aTokenWrittenInTheFileIsRefusedNamingFileAndLine() throws Exception {
    var file = config("  bind: 0.0.0.0\n  token: written-in-the-file-written-in-the-file\n");
    var run = run(file);
    assertThat(run.code()).isNotZero();
    assertThat(run.err()).contains(file + ":7:").contains("a secret must not be written in the file")
        .doesNotContain("written-in-the-file-written");
  }

  private Path config(String admin) throws Exception {
    var file = dir.resolve("salesos.yaml");
    Files.writeString(file, """
        database:
          url: jdbc:mariadb://127.0.0.1:9/salesos
        rules: rules
        admin:
          port: 0
        %s""".formatted(admin));
    return file;
  }

  private record Run(int code, String err) {}

  private static Run run(Path config, String... extra) {
    var err = new StringWriter();
    var args = new java.util.ArrayList<>(java.util.List.of("run", "--config", config.toString()));
    args.addAll(java.util.List.of(extra));
    int code = Main.commandLine().setErr(new PrintWriter(err, true)).execute(args.toArray(String[]::new));
    return new Run(code, err.toString());
  }
}
