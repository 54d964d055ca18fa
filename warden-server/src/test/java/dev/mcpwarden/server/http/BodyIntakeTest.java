package dev.mcpwarden.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The body budget's per-network shares, without sockets. */
class BodyIntakeTest {

    static boolean take(BodyIntake intake, String network, int bytes) {
        return intake.new Buffer(bytes, network).append(ByteBuffer.allocate(bytes));
    }

    @Test
    void oneNetworkTakesAtMostItsShareAndAnotherTheRest() {
        BodyIntake intake = new BodyIntake(TransportLimits.DEFAULTS.withBodyBytesInFlight(1024 * 1024)
                .withNetworkShares(4));
        assertThat(take(intake, "192.0.2.1", 200 * 1024)).isTrue();
        assertThat(take(intake, "192.0.2.1", 100 * 1024)).as("past its 256 KiB share").isFalse();
        assertThat(take(intake, "192.0.2.2", 256 * 1024)).isTrue();
        assertThat(intake.held()).isEqualTo(456 * 1024);
    }

    @Test
    void withOneShareANetworkMayHoldTheWholeBudgetAsBehindAProxy() {
        BodyIntake intake = new BodyIntake(TransportLimits.DEFAULTS.withBodyBytesInFlight(1024 * 1024)
                .withNetworkShares(1));
        assertThat(take(intake, "10.0.0.1", 1024 * 1024)).isTrue();
        assertThat(take(intake, "10.0.0.1", 1)).as("the budget itself still holds").isFalse();
    }

    @Test
    void aReleasedBodyGivesItsNetworkItsShareBack() {
        BodyIntake intake = new BodyIntake(TransportLimits.DEFAULTS.withBodyBytesInFlight(1024 * 1024)
                .withNetworkShares(4));
        BodyIntake.Buffer b = intake.new Buffer(256 * 1024, "192.0.2.1");
        assertThat(b.append(ByteBuffer.allocate(256 * 1024))).isTrue();
        assertThat(take(intake, "192.0.2.1", 1)).isFalse();
        b.release();
        assertThat(intake.held()).isZero();
        assertThat(take(intake, "192.0.2.1", 256 * 1024)).isTrue();
    }
}
