/// Events ordered by time, ties broken by insertion order, so a run is a pure function of its seed.
struct EventQueue<Event> {
    private var heap: [(time: Int64, sequence: Int64, event: Event)] = []
    private var nextSequence: Int64 = 0

    var nextTime: Int64? { heap.first?.time }

    mutating func schedule(_ event: Event, at time: Int64) {
        heap.append((time, nextSequence, event))
        nextSequence += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (time: Int64, event: Event)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, Self.precedes(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count, Self.precedes(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return (top.time, top.event)
    }

    private static func precedes(_ a: (time: Int64, sequence: Int64, event: Event), _ b: (time: Int64, sequence: Int64, event: Event)) -> Bool {
        a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }
}
