package dev.mcpwarden.security.policy;

import dev.cel.common.values.NullValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Java values CEL understands: {@code String}, {@code Boolean}, {@code Long}, {@code Double}, {@link NullValue},
 * {@code List} and {@code Map<String, ?>}.
 *
 * <p>JSON arguments are not copied: {@link #args} returns read-only views over the Jackson tree that convert a value
 * only when a condition reads it, so a policy that looks at {@code args.tenant} costs the same whatever else the
 * call carries. Claims (plain Java values from the token) are normalized eagerly, with a depth and size bound.
 */
final class CelValues {

    /** Claims nested deeper than this are cut off (replaced by null). */
    static final int MAX_CLAIM_DEPTH = 16;
    /** Claim maps and lists with more entries than this are cut off after this many. */
    static final int MAX_CLAIM_ENTRIES = 1_000;

    private CelValues() {
    }

    /** The {@code args} variable: a view over a JSON object, or an empty map for anything else. */
    static Map<String, Object> args(JsonNode args) {
        return args != null && args.isObject() ? new ObjectView(args) : Map.of();
    }

    static Object json(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> n.stringValue();
            case BOOLEAN -> n.booleanValue();
            case NUMBER -> n.isIntegralNumber() && n.canConvertToLong() ? (Object) n.longValue() : (Object) n.doubleValue();
            case OBJECT -> new ObjectView(n);
            case ARRAY -> new ArrayView(n);
            case NULL, MISSING -> NullValue.NULL_VALUE;
            default -> n.asString(); // binary and POJO nodes do not come from parsed JSON; be total anyway
        };
    }

    /** A claim value, normalized to the types above. */
    static Object claim(Object v) {
        return claim(v, 0);
    }

    private static Object claim(Object v, int depth) {
        if (v == null || depth > MAX_CLAIM_DEPTH) {
            return NullValue.NULL_VALUE;
        }
        return switch (v) {
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case Double d -> d;
            case Float f -> (double) f;
            case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
            case BigDecimal b -> b.doubleValue();
            case Number n -> n.doubleValue();
            case Date d -> d.getTime() / 1000;
            case Instant i -> i.getEpochSecond();
            case JsonNode n -> json(n);
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (out.size() >= MAX_CLAIM_ENTRIES) {
                        break;
                    }
                    out.put(String.valueOf(e.getKey()), claim(e.getValue(), depth + 1));
                }
                yield out;
            }
            case Collection<?> c -> {
                List<Object> out = new ArrayList<>(Math.min(c.size(), MAX_CLAIM_ENTRIES));
                for (Object o : c) {
                    if (out.size() >= MAX_CLAIM_ENTRIES) {
                        break;
                    }
                    out.add(claim(o, depth + 1));
                }
                yield out;
            }
            default -> v.toString();
        };
    }

    /** The claims map. */
    static Map<String, Object> claims(Map<String, Object> claims) {
        if (claims.isEmpty()) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) claim(claims);
        return m;
    }

    /** A JSON object as a read-only {@code Map<String, Object>}, converting values on access. */
    private static final class ObjectView extends AbstractMap<String, Object> {
        private final JsonNode node;

        ObjectView(JsonNode node) {
            this.node = node;
        }

        @Override
        public Object get(Object key) {
            if (!(key instanceof String k)) {
                return null;
            }
            JsonNode v = node.get(k);
            return v == null ? null : json(v);
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String k && node.has(k);
        }

        @Override
        public int size() {
            return node.size();
        }

        @Override
        public boolean isEmpty() {
            return node.isEmpty();
        }

        @Override
        public Set<String> keySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<String> iterator() {
                    return node.propertyNames().iterator();
                }

                @Override
                public int size() {
                    return node.size();
                }

                @Override
                public boolean contains(Object o) {
                    return containsKey(o);
                }
            };
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    Iterator<Entry<String, JsonNode>> it = node.properties().iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Entry<String, Object> next() {
                            Entry<String, JsonNode> e = it.next();
                            return new SimpleImmutableEntry<>(e.getKey(), json(e.getValue()));
                        }
                    };
                }

                @Override
                public int size() {
                    return node.size();
                }
            };
        }
    }

    /** A JSON array as a read-only {@code List<Object>}, converting elements on access. */
    private static final class ArrayView extends AbstractList<Object> {
        private final JsonNode node;

        ArrayView(JsonNode node) {
            this.node = node;
        }

        @Override
        public Object get(int index) {
            JsonNode v = node.get(index);
            if (v == null) {
                throw new IndexOutOfBoundsException(index);
            }
            return json(v);
        }

        @Override
        public int size() {
            return node.size();
        }
    }
}
