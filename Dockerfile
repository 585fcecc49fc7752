# salesos daemon image. Build: docker build -t salesos .
# Run:   docker run -v $PWD/config:/etc/salesos -v $PWD/rules:/etc/salesos/rules \
#          -e SALESOS_DB_PASSWORD=... -e SALESOS_ADMIN_TOKEN=$(openssl rand -hex 32) \
#          -p 127.0.0.1:8686:8686 salesos
# The CMD binds the admin HTTP to 0.0.0.0 inside the container's network namespace (--admin-bind),
# since a published port cannot reach its loopback. A non-loopback bind needs the admin token, so the
# container refuses to start without SALESOS_ADMIN_TOKEN (at least 32 characters); every page but
# /health then asks for it. Publish the port on the host's loopback as above and put a TLS reverse
# proxy in front to reach it from elsewhere (README, "Status page").

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY connector-spi/pom.xml connector-spi/
COPY connector-core/pom.xml connector-core/
COPY connector-salesforce/pom.xml connector-salesforce/
COPY connector-hubspot/pom.xml connector-hubspot/
COPY demo-org/pom.xml demo-org/
COPY sandbox-salesforce/pom.xml sandbox-salesforce/
COPY sandbox-hubspot/pom.xml sandbox-hubspot/
COPY daemon/pom.xml daemon/
COPY launcher/pom.xml launcher/
RUN mvn -B -q -DskipTests dependency:go-offline || true
COPY . .
# the production jar only: the daemon, core and the connectors (the sandboxes, WireMock and the demo
# org generator are in launcher/target/salesos-launcher.jar, which the image does not ship)
RUN mvn -B -q -DskipTests package -pl daemon -am

FROM eclipse-temurin:17-jre
RUN groupadd --system salesos && useradd --system --gid salesos --home-dir /var/lib/salesos --create-home salesos \
 && apt-get update && apt-get install -y --no-install-recommends curl libaio1t64 || apt-get install -y --no-install-recommends curl libaio1 \
 ; rm -rf /var/lib/apt/lists/*
WORKDIR /opt/salesos
COPY --from=build /src/daemon/target/salesos.jar /opt/salesos/salesos.jar
COPY --from=build /src/daemon/target/lib/ /opt/salesos/lib/
COPY --from=build /src/rules/ /etc/salesos/rules/
COPY --from=build /src/config/ /etc/salesos/
USER salesos
ENV SALESOS_HOME=/var/lib/salesos
EXPOSE 8686
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8686/health || exit 1
ENTRYPOINT ["java", "-Xmx1g", "-jar", "/opt/salesos/salesos.jar"]
CMD ["run", "--config", "/etc/salesos/production.yaml", "--admin-bind", "0.0.0.0"]
