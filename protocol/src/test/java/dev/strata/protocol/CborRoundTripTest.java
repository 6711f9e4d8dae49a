package dev.strata.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Protocol values cross process and node boundaries as Jackson CBOR. Each value is checked with a plain
 * CBOR mapper and with one set up like pekko-serialization-jackson's (fields visible); both fail on
 * unknown properties, so a value that serializes a derived property (numel, tensorCount, ...) fails here.
 */
@Timeout(10)
class CborRoundTripTest {

    static Stream<ObjectMapper> mappers() {
        return Stream.of(
                CBORMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build(),
                CBORMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                        .visibility(PropertyAccessor.FIELD, Visibility.ANY).build());
    }

    private static <T> T roundTrip(ObjectMapper mapper, T value, Class<T> type) throws IOException {
        return mapper.readValue(mapper.writeValueAsBytes(value), type);
    }

    @ParameterizedTest
    @MethodSource("mappers")
    void continuousTensorSurvives(ObjectMapper mapper) throws IOException {
        ContinuousTensor t = ContinuousTensor.of(0xFFFF_0000_1234_5678L, DataType.BFLOAT16, 1, 2, 3, 4, 5);

        ContinuousTensor back = roundTrip(mapper, t, ContinuousTensor.class);

        assertEquals(t, back);
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, back.shape());
    }

    @ParameterizedTest
    @MethodSource("mappers")
    void taskArgsSnapshotSurvives(ObjectMapper mapper) throws IOException {
        TaskArgsSnapshot args = new TaskArgsSnapshot(
                List.of(ContinuousTensor.of(0x100, DataType.FLOAT32, 16),
                        ContinuousTensor.of(0, DataType.UINT64, 2, 0)),
                new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE});

        assertEquals(args, roundTrip(mapper, args, TaskArgsSnapshot.class));
    }

    @ParameterizedTest
    @MethodSource("mappers")
    void taskArgsSnapshotTagsSurvive(ObjectMapper mapper) throws IOException {
        TaskArgsSnapshot args = (TaskArgsSnapshot) new TaskArgs()
                .addTensor(ContinuousTensor.of(0x100, DataType.FLOAT32, 16), TensorArgType.INPUT)
                .addTensor(ContinuousTensor.of(0x200, DataType.FLOAT32, 16), TensorArgType.OUTPUT).view();

        assertEquals(List.of(TensorArgType.INPUT, TensorArgType.OUTPUT),
                roundTrip(mapper, args, TaskArgsSnapshot.class).tags());
        assertEquals(null, roundTrip(mapper, args.withoutTags(), TaskArgsSnapshot.class).tags());
    }

    @ParameterizedTest
    @MethodSource("mappers")
    void emptyTaskArgsSnapshotSurvives(ObjectMapper mapper) throws IOException {
        assertEquals(TaskArgsSnapshot.EMPTY, roundTrip(mapper, TaskArgsSnapshot.EMPTY, TaskArgsSnapshot.class));
    }

    @ParameterizedTest
    @MethodSource("mappers")
    void callConfigSurvives(ObjectMapper mapper) throws IOException {
        CallConfig config = new CallConfig(8, 2, true);

        assertEquals(config, roundTrip(mapper, config, CallConfig.class));
    }

    @ParameterizedTest
    @MethodSource("mappers")
    void taskErrorSurvivesAndStillRebuildsTheException(ObjectMapper mapper) throws IOException {
        TaskError error = TaskError.of(new IllegalArgumentException("bad shape", new ArithmeticException("ovf")));

        TaskError back = roundTrip(mapper, error, TaskError.class);

        assertEquals(error, back);
        assertEquals(IllegalArgumentException.class.getName(), back.toException().exceptionClass());
        assertArrayEquals(error.toException().getStackTrace(), back.toException().getStackTrace());
        assertEquals(error.stack().size(), back.toException().getStackTrace().length);
    }

    @ParameterizedTest
    @MethodSource("mappers")
    void taskErrorWithoutMessageSurvives(ObjectMapper mapper) throws IOException {
        TaskError error = new TaskError("x.Y", null, List.of());

        assertEquals(error, roundTrip(mapper, error, TaskError.class));
    }
}
