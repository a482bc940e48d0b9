import AviaryShell
import Testing

/// The session's own commands, which need no server.
struct ShellSessionTests {
    private func session() -> (ShellSession, RecordedOutput) {
        let output = RecordedOutput()
        return (ShellSession(options: .init(server: "127.0.0.1:1"), output: output), output)
    }

    @Test func historyListsTheLastCommandsWithTheirNumbers() async {
        let (shell, output) = session()
        _ = await shell.run(line: "printwatches off")
        _ = await shell.run(line: "   ")
        _ = await shell.run(line: "printwatches")
        #expect(await shell.run(line: "history") == 0)
        #expect(output.standard == "printwatches is off\n0 - printwatches off\n1 - printwatches\n2 - history\n")
    }

    @Test func redoRunsAnEarlierLineButNotARedo() async {
        let (shell, output) = session()
        _ = await shell.run(line: "printwatches")
        #expect(await shell.run(line: "redo 0") == 0)
        #expect(output.standard == "printwatches is on\nprintwatches is on\n")
        #expect(await shell.run(line: "redo 5") == ExitStatus.usage)
        _ = await shell.run(line: "redo 1")
        #expect(await shell.run(line: "redo 1") == 0)
        #expect(output.error.contains("Command index out of range"))
    }

    @Test func commandsWithoutASessionSayNotConnected() async {
        let (shell, output) = session()
        #expect(await shell.run(line: "ls /") == 4)
        #expect(output.error == "Not connected\n")
    }

    @Test func quitIsRemembered() async {
        let (shell, _) = session()
        #expect(await !shell.hasQuit)
        _ = await shell.run(line: "quit")
        #expect(await shell.hasQuit)
    }

    @Test func promptShowsServerStateAndCount() async {
        let (shell, _) = session()
        _ = await shell.run(line: "printwatches")
        #expect(await shell.prompt() == "[zk: 127.0.0.1:1(CLOSED) 1] ")
    }
}
