import JumpKafka
import JumpWorker
import Testing

/// The cut-over offsets as the configuration writes them: parsed, printed, refused with a reason.
@Suite("Key placement")
struct KeyPlacementTests {
    @Test("PARTITION@OFFSET pairs round-trip in partition order")
    func roundTrip() {
        let offsets = KeyPlacement.cutover(parsing: "2@7, 0@1200,1@0")
        #expect(offsets == [0: 1_200, 1: 0, 2: 7])
        #expect(KeyPlacement.cutoverText(offsets ?? [:]) == "0@1200,1@0,2@7")
        #expect(KeyPlacement.cutoverText([:]).isEmpty)
    }

    @Test(
        "anything else is refused",
        arguments: ["", "0", "0:12", "0@", "@5", "-1@5", "0@-5", "0@1,0@2", "x@1", "0@1,", "0@99999999999999999999"])
    func refused(text: String) {
        #expect(KeyPlacement.cutover(parsing: text) == nil)
    }

    @Test("the default checks murmur2 from the start of every partition")
    func defaults() {
        let placement = KeyPlacement()
        #expect(placement.partitioner == .murmur2Random && placement.checkFrom.isEmpty)
        #expect(KeyPlacement.rerouteHeader == "jump.rerouted.from")
    }
}
