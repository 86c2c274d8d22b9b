import RaftCore
print("x")
