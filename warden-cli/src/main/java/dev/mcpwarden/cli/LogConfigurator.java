package dev.mcpwarden.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.mask.MaskingJsonGeneratorDecorator;

/**
 * The command line's logging, configured in code (found by Logback through {@code ServiceLoader}) rather than from
 * XML, which would load a few hundred XML-parsing classes at every start. Everything goes to stderr: on stdio,
 * stdout carries MCP messages and nothing else. {@code WARDEN_LOG_LEVEL} sets the level (default INFO); Jetty logs
 * warnings only. {@code WARDEN_LOG_FORMAT} chooses the format: {@code text} (the default, for people) or
 * {@code json} (one JSON object a line, for log pipelines, with the request's {@code correlation_id} and whatever
 * else the logging context holds); in JSON, anything shaped like a bearer credential (a JWT, an
 * {@code Authorization} value) is masked, whatever the message.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfigurator extends ContextAwareBase implements Configurator {

    /** What a credential in a JSON log line becomes. */
    static final String MASK = "****";

    /** Logback instantiates configurators through ServiceLoader. */
    public LogConfigurator() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        configure(context, System.getenv(), null);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Configures {@code context} from {@code env}, writing to {@code out}, or to stderr when it is null. */
    static void configure(LoggerContext context, Map<String, String> env, OutputStream out) {
        String format = env.getOrDefault("WARDEN_LOG_FORMAT", "text").trim().toLowerCase(Locale.ROOT);
        Encoder<ILoggingEvent> encoder = switch (format) {
            case "json" -> json(context);
            case "text", "" -> text(context);
            default -> {
                // a start must not fail over its logging; say so in the format that was asked for least
                System.err.println("WARDEN_LOG_FORMAT must be text or json, was " + format + ": logging as text");
                yield text(context);
            }
        };
        OutputStreamAppender<ILoggingEvent> appender;
        if (out == null) {
            ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
            stderr.setTarget("System.err");
            appender = stderr;
        } else {
            appender = new OutputStreamAppender<>();
            appender.setOutputStream(out);
        }
        appender.setContext(context);
        appender.setName("STDERR");
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        String level = env.get("WARDEN_LOG_LEVEL");
        root.setLevel(Level.toLevel(level == null ? "INFO" : level, Level.INFO));
        root.addAppender(appender);
        context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
    }

    private static Encoder<ILoggingEvent> text(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n");
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> json(LoggerContext context) {
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(context);
        encoder.setIncludeContext(false); // the logger context's name and properties say nothing about the request
        MaskingJsonGeneratorDecorator masking = new MaskingJsonGeneratorDecorator();
        masking.setDefaultMask(MASK);
        // Warden logs no credential; should one reach a message (a library's, an exception's), it goes no further.
        masking.addValue("\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*"); // a JWT/JWS
        masking.addValue("(?i)(?<=\\b(?:bearer|dpop|basic)\\s)[A-Za-z0-9._~+/=-]{8,}"); // an Authorization value
        masking.start();
        encoder.addDecorator(masking);
        encoder.start();
        return encoder;
    }
}
