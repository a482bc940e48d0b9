import AviaryClient
import NIOConcurrencyHelpers

extension ShellSession {
    /// Prints the watch's event when it fires, if `printwatches` is on then. The task ends with the session.
    func printEvent(of watch: OneShotWatch) {
        let output = self.output
        let printsWatches = self.printsWatches
        watchTasks.append(
            Task {
                guard let event = try? await watch.event() else { return }
                if printsWatches.withLockedValue({ $0 }) { output.write(EventText.watcherBlock(event), to: .standard) }
            })
    }

    /// Prints each event of a persistent watch until it is removed or the session ends. Connection state
    /// events are left to the session's own state reporting.
    func printEvents(of watch: PersistentWatch) {
        let output = self.output
        let printsWatches = self.printsWatches
        watchTasks.append(
            Task {
                do {
                    for try await event in watch where event.type != .none {
                        if printsWatches.withLockedValue({ $0 }) {
                            output.write(EventText.watcherBlock(event), to: .standard)
                        }
                    }
                } catch {
                    // The session ended or the watch was dropped; nothing more will come.
                }
            })
    }

    /// `members path`: prints the group's member list (the children of `path`) now and after every change,
    /// until `limit` lists were printed or the task running the command is cancelled (Ctrl-C, EOF).
    func followMembers(_ path: String, limit: Int?, on client: ZooKeeperClient) async throws(ZooKeeperError) {
        guard let slash = path.lastIndex(of: "/"), path != "/", path.hasPrefix("/") else {
            throw ZooKeeperError(.badArguments, path: path)
        }
        let root = slash == path.startIndex ? "/" : String(path[..<slash])
        let group = String(path[path.index(after: slash)...])
        let members = GroupMembership(client: client, root: root).members(of: group)
        var printed = 0
        do {
            for try await list in members {
                output.line(EventText.list(list))
                printed += 1
                if let limit, printed >= limit { return }
            }
        } catch let error as ZooKeeperError {
            throw error
        } catch {
            // Cancelled: the user stopped following, which is success.
        }
    }
}
